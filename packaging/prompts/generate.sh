#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Speaks the phone's voice prompts into WAV files with Debian's espeak-ng (at build time: nothing
# is fetched or synthesized at run time).
#
#   packaging/prompts/generate.sh <lang> <textfile> <outdir>
#
# <lang>: de or en (the espeak-ng voice). <textfile>: one "name<TAB>text" a line; lines starting
# with # and empty lines are skipped. Writes <outdir>/<name>.wav (16-bit mono PCM at espeak's
# 22050 Hz; plenumd resamples to 48 kHz when it loads them). Each file is written under a
# temporary name and renamed, so an interrupted build leaves no half file behind.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 <lang> <textfile> <outdir>" >&2; exit 2; }
lang=$1 textfile=$2 outdir=$3
case "$lang" in
  de|en) ;;
  *) echo "generate.sh: unknown language '$lang' (de or en)" >&2; exit 2 ;;
esac
command -v espeak-ng >/dev/null || { echo "generate.sh: espeak-ng is missing (apt-get install espeak-ng)" >&2; exit 1; }
mkdir -p "$outdir"
tab=$(printf '\t')
count=0
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in ''|'#'*) continue ;; esac
  name=${line%%"$tab"*}
  text=${line#*"$tab"}
  case "$name" in
    *[!a-z0-9-]*|'') echo "generate.sh: $textfile: bad prompt name '$name'" >&2; exit 1 ;;
  esac
  [ "$text" != "$line" ] && [ -n "$text" ] || { echo "generate.sh: $textfile: no text for '$name'" >&2; exit 1; }
  # -s 145: a little slower than espeak's 175 words a minute (a telephone line, callers who
  # listen for a PIN prompt); -g 2: short pauses between words.
  espeak-ng -v "$lang" -s 145 -g 2 -w "$outdir/.$name.wav.tmp" -- "$text"
  mv -f "$outdir/.$name.wav.tmp" "$outdir/$name.wav"
  count=$((count + 1))
done < "$textfile"
[ "$count" -gt 0 ] || { echo "generate.sh: $textfile has no prompts" >&2; exit 1; }
