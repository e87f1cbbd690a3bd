#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Writes the package's /etc/plenum/plenum.ini to standard output: the commented sample
# (packaging/plenum.ini, given as $1) with the values of a Debian installation. A key that the
# sample has (set or commented out) is set in place, keeping its comments; a key the sample lacks
# is added at the end.
set -eu
awk '
BEGIN {
  n = split("http.port=80 https.port=443 tls.certificate=/etc/plenum/tls/certificate.pem " \
            "tls.key=/etc/plenum/tls/key.pem tls.hsts=false " \
            "http.webroot=/usr/share/plenum/webclient data.dir=/var/lib/plenum", pairs, " ")
  for (i = 1; i <= n; i++) {
    eq = index(pairs[i], "=")
    key[i] = substr(pairs[i], 1, eq - 1); value[key[i]] = substr(pairs[i], eq + 1)
  }
  print "# /etc/plenum/plenum.ini: installed by the Debian package \"plenum\" (a conffile: an upgrade"
  print "# keeps your changes and asks before replacing them). plenum.service runs"
  print "# /usr/sbin/plenumd --config /etc/plenum/plenum.ini as the user plenum; after a change:"
  print "#   plenumd --check-config --config /etc/plenum/plenum.ini && systemctl restart plenum"
  print "# Own certificate: put it (full chain, PEM) and its key where tls.certificate and tls.key"
  print "# point, key readable by the group plenum only (root:plenum, 0640), then set tls.hsts = true."
  print "# Lines set by the package differ from the defaults shown in the comments below."
  print ""
}
{
  line = $0
  for (i = 1; i <= n; i++) {
    k = key[i]
    if (!(k in done)) {
      pattern = "^#?[ \t]*" k "[ \t]*="
      gsub(/\./, "\\.", pattern)
      if (line ~ pattern) { line = k " = " value[k]; done[k] = 1; break }
    }
  }
  print line
}
END {
  extra = 0
  for (i = 1; i <= n; i++) if (!(key[i] in done)) {
    if (!extra) { print ""; print "# --- Set by the Debian package -------------------------------------------------------"; extra = 1 }
    print key[i] " = " value[key[i]]
  }
}' "$1"
