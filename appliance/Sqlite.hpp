// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A thin RAII layer over the sqlite3 C API: one connection, prepared statements with bound
// parameters (SQL is never built from values), failures as exceptions.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace plenum::appliance::sqlite {

class Error : public std::runtime_error {
public:
  Error(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }  // the extended result code
  bool isUniqueViolation() const { return code_ == SQLITE_CONSTRAINT_UNIQUE || code_ == SQLITE_CONSTRAINT_PRIMARYKEY; }

private:
  int code_;
};

class Database {
public:
  // Opens (creating if needed) the file; ":memory:" for tests.
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL without parameters (schema, pragmas); may hold several statements.
  void exec(const std::string& sql);
  std::int64_t lastInsertId() const;
  int changes() const;  // rows changed by the last statement
  sqlite3* handle() { return db_; }

private:
  sqlite3* db_ = nullptr;
};

class Statement {
public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1, as in SQL's ?1, ?2, ...
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, const char* value) { return bind(index, std::string(value)); }
  Statement& bind(int index, const std::optional<std::string>& value);

  // Binds the arguments to ?1, ?2, ... in order.
  template <class... Values>
  Statement& bindAll(const Values&... values) {
    int index = 0;
    (bind(++index, values), ...);
    return *this;
  }

  // Advances to the next row: true while there is one.
  bool step();
  // Runs a statement that returns no rows.
  void run();

  std::int64_t integer(int column) const;
  bool boolean(int column) const { return integer(column) != 0; }
  std::string text(int column) const;
  std::optional<std::string> optionalText(int column) const;

private:
  Database& db_;
  sqlite3_stmt* statement_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT; rolled back when destroyed uncommitted (an exception).
class Transaction {
public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

private:
  Database& db_;
  bool done_ = false;
};

}  // namespace plenum::appliance::sqlite
