// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Test PDFs made in code, and a small PNG reader to check what was rendered from them.
// makePdf() writes a valid PDF with a cross-reference table: each page filled with its own
// solid colour (pageColour) and its number in large black digits in the lower left corner,
// so the centre of a page shows its colour. Options make the awkward ones: odd page sizes,
// content that is slow to render, encryption with or without a password to open it.
#include <Poco/DeflatingStream.h>
#include <Poco/InflatingStream.h>
#include <Poco/MD5Engine.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace plenum::appliance::test {

using Rgb = std::array<int, 3>;

// Twelve colours far apart from each other (and from black, the page numbers' colour).
inline Rgb pageColour(int n) {
  static const Rgb colours[] = {{230, 25, 75},  {60, 180, 75},  {0, 130, 200},   {245, 130, 48},
                                {145, 30, 180}, {70, 240, 240}, {240, 50, 230},  {255, 225, 25},
                                {128, 0, 0},    {0, 128, 128},  {170, 110, 40},  {250, 190, 212}};
  return colours[(n - 1) % 12];
}

struct PdfPage {
  double width = 842;  // points: A4 landscape unless said otherwise
  double height = 595;
  int rotate = 0;
  std::string extraContent;  // appended to the page's drawing operators
  std::string cropBox;       // e.g. "[0 0 100 50]"; none: the media box
};

inline PdfPage pdfPage(double width, double height, int rotate = 0) {
  PdfPage page;
  page.width = width;
  page.height = height;
  page.rotate = rotate;
  return page;
}

struct PdfOptions {
  enum class Encryption { None, UserPassword, OwnerPasswordOnly };
  Encryption encryption = Encryption::None;
  bool compress = false;  // content streams with FlateDecode
};

namespace pdfdetail {

inline std::string md5(const std::string& bytes) {
  Poco::MD5Engine engine;
  engine.update(bytes.data(), bytes.size());
  const auto& digest = engine.digest();
  return std::string(digest.begin(), digest.end());
}

inline std::string rc4(const std::string& key, const std::string& data) {
  unsigned char s[256];
  for (int i = 0; i < 256; ++i) s[i] = static_cast<unsigned char>(i);
  for (int i = 0, j = 0; i < 256; ++i) {
    j = (j + s[i] + static_cast<unsigned char>(key[i % key.size()])) & 255;
    std::swap(s[i], s[j]);
  }
  std::string out = data;
  for (std::size_t k = 0, i = 0, j = 0; k < out.size(); ++k) {
    i = (i + 1) & 255;
    j = (j + s[i]) & 255;
    std::swap(s[i], s[j]);
    out[k] = static_cast<char>(out[k] ^ s[(s[i] + s[j]) & 255]);
  }
  return out;
}

// The standard security handler, revision 2 (RC4, 40-bit key): PDF 1.7, algorithms 3.1 to 3.4.
struct Rc4Security {
  Rc4Security(const std::string& userPassword, const std::string& ownerPassword, std::int32_t permissions,
              const std::string& fileId)
      : permissions(permissions) {
    static const unsigned char padding[32] = {0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E,
                                              0x56, 0xFF, 0xFA, 0x01, 0x08, 0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68,
                                              0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A};
    const auto pad = [&](const std::string& password) {
      return (password + std::string(reinterpret_cast<const char*>(padding), 32)).substr(0, 32);
    };
    owner = rc4(md5(pad(ownerPassword)).substr(0, 5), pad(userPassword));
    const auto p = static_cast<std::uint32_t>(permissions);
    std::string pBytes;
    for (int i = 0; i < 4; ++i) pBytes += static_cast<char>((p >> (8 * i)) & 255);
    key = md5(pad(userPassword) + owner + pBytes + fileId).substr(0, 5);
    user = rc4(key, std::string(reinterpret_cast<const char*>(padding), 32));
  }
  std::string encrypt(int object, const std::string& data) const {
    std::string k = key;
    k += static_cast<char>(object & 255);
    k += static_cast<char>((object >> 8) & 255);
    k += static_cast<char>((object >> 16) & 255);
    k += std::string(2, '\0');  // generation 0
    return rc4(md5(k).substr(0, 10), data);
  }
  std::int32_t permissions;
  std::string owner, user, key;
};

inline std::string hex(const std::string& bytes) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

inline std::string deflate(const std::string& data) {
  std::ostringstream out;
  Poco::DeflatingOutputStream deflating(out, Poco::DeflatingStreamBuf::STREAM_ZLIB);
  deflating << data;
  deflating.close();
  return out.str();
}

}  // namespace pdfdetail

inline std::string makePdf(const std::vector<PdfPage>& pages, const PdfOptions& options = {}) {
  using Encryption = PdfOptions::Encryption;
  const std::string fileId = pdfdetail::md5("plenum test pdf " + std::to_string(pages.size()));
  std::optional<pdfdetail::Rc4Security> security;
  if (options.encryption == Encryption::UserPassword) security.emplace("open sesame", "owner", -4, fileId);
  // No printing, copying, changing: restrictions only; every reader opens it without asking.
  if (options.encryption == Encryption::OwnerPasswordOnly) security.emplace("", "owner", -64, fileId);

  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;  // of objects 1, 2, ...
  const auto object = [&](const std::string& body) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(offsets.size()) + " 0 obj\n" + body + "\nendobj\n";
  };
  const int count = static_cast<int>(pages.size());
  object("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (int i = 0; i < count; ++i) kids += std::to_string(4 + 2 * i) + " 0 R ";
  object("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(count) + " >>");
  object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>");
  char number[64];
  for (int i = 0; i < count; ++i) {
    const auto& page = pages[static_cast<std::size_t>(i)];
    const Rgb colour = pageColour(i + 1);
    std::snprintf(number, sizeof number, "%.2f %.2f", page.width, page.height);
    const std::string size = number;
    std::string content;
    std::snprintf(number, sizeof number, "%.3f %.3f %.3f rg ", colour[0] / 255.0, colour[1] / 255.0,
                  colour[2] / 255.0);
    content += number + std::string("0 0 ") + size + " re f\n";
    const double fontSize = std::min(page.width, page.height) * 0.2;
    std::snprintf(number, sizeof number, "0 g BT /F1 %.2f Tf %.2f %.2f Td (%d) Tj ET\n", fontSize, page.width * 0.04,
                  page.height * 0.04, i + 1);
    content += number + page.extraContent;
    std::string filter;
    if (options.compress) {
      content = pdfdetail::deflate(content);
      filter = " /Filter /FlateDecode";
    }
    const int contentObject = 5 + 2 * i;
    if (security) content = security->encrypt(contentObject, content);
    object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + size + "] /Rotate " + std::to_string(page.rotate) +
           (page.cropBox.empty() ? "" : " /CropBox " + page.cropBox) + " /Resources << /Font << /F1 3 0 R >> >> /Contents " + std::to_string(contentObject) + " 0 R >>");
    object("<< /Length " + std::to_string(content.size()) + filter + " >>\nstream\n" + content + "\nendstream");
  }
  std::string trailer = "/Size " + std::to_string(offsets.size() + 1 + (security ? 1 : 0)) + " /Root 1 0 R /ID [<" +
                        pdfdetail::hex(fileId) + "> <" + pdfdetail::hex(fileId) + ">]";
  if (security) {
    object("<< /Filter /Standard /V 1 /R 2 /O <" + pdfdetail::hex(security->owner) + "> /U <" +
           pdfdetail::hex(security->user) + "> /P " + std::to_string(security->permissions) + " >>");
    trailer += " /Encrypt " + std::to_string(offsets.size()) + " 0 R";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(offsets.size() + 1) + "\n0000000000 65535 f \n";
  for (const auto offset : offsets) {
    std::snprintf(number, sizeof number, "%010zu 00000 n \n", offset);
    pdf += number;
  }
  pdf += "trailer\n<< " + trailer + " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

// `count` A4 landscape pages.
inline std::string makePdf(int count, const PdfOptions& options = {}) {
  return makePdf(std::vector<PdfPage>(static_cast<std::size_t>(count)), options);
}

inline void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// An 8-bit greyscale, RGB or RGBA PNG (what pdftoppm writes), decoded; throws on anything else.
struct Png {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<unsigned char> pixels;  // rows top to bottom, unfiltered

  Rgb at(int x, int y) const {
    const auto* p = &pixels[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) *
                            static_cast<std::size_t>(channels)];
    return channels < 3 ? Rgb{p[0], p[0], p[0]} : Rgb{p[0], p[1], p[2]};
  }

  static Png read(const std::string& path) {
    const std::string file = readFile(path);
    if (file.size() < 8 || file.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) throw std::runtime_error("not a PNG");
    const auto u32 = [&](std::size_t at) {
      return (static_cast<std::uint32_t>(static_cast<unsigned char>(file[at])) << 24) |
             (static_cast<std::uint32_t>(static_cast<unsigned char>(file[at + 1])) << 16) |
             (static_cast<std::uint32_t>(static_cast<unsigned char>(file[at + 2])) << 8) |
             static_cast<std::uint32_t>(static_cast<unsigned char>(file[at + 3]));
    };
    Png png;
    std::string data;
    for (std::size_t at = 8; at + 8 <= file.size();) {
      const std::size_t length = u32(at);
      const std::string type = file.substr(at + 4, 4);
      if (at + 12 + length > file.size()) throw std::runtime_error("PNG cut off");
      if (type == "IHDR") {
        png.width = static_cast<int>(u32(at + 8));
        png.height = static_cast<int>(u32(at + 12));
        const int depth = file[at + 16];
        const int colourType = file[at + 17];
        const int interlace = file[at + 20];
        if (depth != 8 || interlace != 0) throw std::runtime_error("PNG: unsupported depth or interlacing");
        png.channels = colourType == 0 ? 1 : colourType == 2 ? 3 : colourType == 6 ? 4 : 0;
        if (png.channels == 0) throw std::runtime_error("PNG: unsupported colour type");
      } else if (type == "IDAT") {
        data += file.substr(at + 8, length);
      }
      at += 12 + length;
    }
    std::istringstream compressed(data);
    Poco::InflatingInputStream inflating(compressed, Poco::InflatingStreamBuf::STREAM_ZLIB);
    const std::string raw((std::istreambuf_iterator<char>(inflating)), std::istreambuf_iterator<char>());
    const std::size_t bpp = static_cast<std::size_t>(png.channels);
    const std::size_t stride = static_cast<std::size_t>(png.width) * bpp;
    if (raw.size() < (stride + 1) * static_cast<std::size_t>(png.height)) throw std::runtime_error("PNG: short data");
    png.pixels.resize(stride * static_cast<std::size_t>(png.height));
    for (std::size_t y = 0; y < static_cast<std::size_t>(png.height); ++y) {
      const int filter = raw[y * (stride + 1)];
      const auto* in = reinterpret_cast<const unsigned char*>(raw.data()) + y * (stride + 1) + 1;
      unsigned char* out = &png.pixels[y * stride];
      const unsigned char* up = y > 0 ? out - stride : nullptr;
      for (std::size_t i = 0; i < stride; ++i) {
        const int a = i >= bpp ? out[i - bpp] : 0;
        const int b = up ? up[i] : 0;
        const int c = up && i >= bpp ? up[i - bpp] : 0;
        int predicted = 0;
        switch (filter) {
          case 0: predicted = 0; break;
          case 1: predicted = a; break;
          case 2: predicted = b; break;
          case 3: predicted = (a + b) / 2; break;
          case 4: {
            const int p = a + b - c;
            const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
            predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            break;
          }
          default: throw std::runtime_error("PNG: bad filter");
        }
        out[i] = static_cast<unsigned char>(in[i] + predicted);
      }
    }
    return png;
  }
};

// The width and height in a PNG's header (without decoding the image).
inline std::optional<std::pair<int, int>> pngSize(const std::string& path) {
  const std::string head = readFile(path).substr(0, 24);
  if (head.size() < 24 || head.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || head.compare(12, 4, "IHDR") != 0) {
    return std::nullopt;
  }
  const auto u32 = [&](std::size_t at) {
    return static_cast<int>((static_cast<unsigned char>(head[at]) << 24) | (static_cast<unsigned char>(head[at + 1]) << 16) |
                            (static_cast<unsigned char>(head[at + 2]) << 8) | static_cast<unsigned char>(head[at + 3]));
  };
  return std::make_pair(u32(16), u32(20));
}

}  // namespace plenum::appliance::test
