// SPDX-License-Identifier: EUPL-1.2
// Test documents for presenting (issue 13): a valid minimal PDF (classic xref table, no
// compression) whose pages are each one solid colour with a large page number, and files that
// are not PDFs (a ZIP, an HTML page, an executable) to be uploaded under a .pdf name.
import fs from 'node:fs';

/**
 * A PDF with one page per entry of `colors` ([r, g, b], each 0..1): a rectangle over the whole
 * page in that colour and the page number in large black Helvetica-Bold. Pages are
 * `width`×`height` points (default 960×540, 16:9 like slides). Returns a Buffer.
 */
export function makePdf(colors, { width = 960, height = 540, title = 'Plenum test slides' } = {}) {
  const n = colors.length;
  if (!n) throw new Error('makePdf: no pages');
  // Object numbers: 1 catalog, 2 pages, 3 font, 4 info, then page i: 5+2i, its content: 6+2i.
  const pageObj = (i) => 5 + 2 * i;
  const objects = [];
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${colors.map((_, i) => `${pageObj(i)} 0 R`).join(' ')}] /Count ${n} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>';
  objects[4] = `<< /Title (${title.replace(/[()\\]/g, '')}) /Producer (Plenum e2e tests) >>`;
  const fontSize = Math.round(height * 0.4);
  colors.forEach(([r, g, b], i) => {
    const label = String(i + 1);
    const textWidth = label.length * fontSize * 0.556; // Helvetica-Bold digits are 0.556 em wide
    const x = Math.round((width - textWidth) / 2);
    const y = Math.round((height - fontSize * 0.72) / 2);
    const f = (v) => Number(v).toFixed(3);
    const content = [
      `${f(r)} ${f(g)} ${f(b)} rg`,
      `0 0 ${width} ${height} re f`,
      '0 0 0 rg',
      `BT /F1 ${fontSize} Tf ${x} ${y} Td (${label}) Tj ET`,
    ].join('\n');
    objects[pageObj(i)] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] ` +
      `/Resources << /Font << /F1 3 0 R >> >> /Contents ${pageObj(i) + 1} 0 R >>`;
    objects[pageObj(i) + 1] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
  });
  const parts = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0].length;
  const offsets = [];
  for (let num = 1; num < objects.length; num += 1) {
    offsets[num] = offset;
    const buf = Buffer.from(`${num} 0 obj\n${objects[num]}\nendobj\n`, 'latin1');
    parts.push(buf);
    offset += buf.length;
  }
  const size = objects.length;
  // Each xref entry is exactly 20 bytes: 10-digit offset, space, 5-digit generation, space, type, CR LF.
  let xref = `xref\n0 ${size}\n0000000000 65535 f\r\n`;
  for (let num = 1; num < size; num += 1) xref += `${String(offsets[num]).padStart(10, '0')} 00000 n\r\n`;
  xref += `trailer\n<< /Size ${size} /Root 1 0 R /Info 4 0 R >>\nstartxref\n${offset}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

/** A PDF-looking file of `bytes` bytes: a PDF header, then comment lines (too large, not valid). */
export function oversizedPdf(bytes) {
  const head = Buffer.from('%PDF-1.4\n', 'latin1');
  const line = Buffer.from(`%${'x'.repeat(78)}\n`, 'latin1');
  const out = Buffer.alloc(bytes);
  head.copy(out, 0);
  for (let at = head.length; at < bytes; at += line.length) line.copy(out, at, 0, Math.min(line.length, bytes - at));
  return out;
}

// CRC-32 (IEEE), for the ZIP below.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i += 1) {
    let c = i;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A valid ZIP archive (one stored file), as an office document or a zipped folder would be. */
export function makeZip(name = 'notes.txt', text = 'Tagesordnung\n1. Haushalt\n2. Verschiedenes\n') {
  const data = Buffer.from(text, 'utf8');
  const fname = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);          // version needed
  local.writeUInt16LE(0x0800, 6);      // flags: UTF-8 names
  local.writeUInt16LE(0, 8);           // stored
  local.writeUInt16LE(0, 10);          // time
  local.writeUInt16LE(0x5a21, 12);     // date (2025-01-01)
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fname.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(0, 12);
  central.writeUInt16LE(0x5a21, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fname.length, 28);
  central.writeUInt32LE(0, 42);        // offset of the local header
  const localSize = local.length + fname.length + data.length;
  const centralSize = central.length + fname.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(localSize, 16);
  return Buffer.concat([local, fname, data, central, fname, end]);
}

/** Files that are not PDFs, each to be uploaded as "<name>.pdf". */
export function notPdfSamples() {
  return {
    zip: makeZip(),
    html: Buffer.from('<!doctype html>\n<html lang="de"><head><meta charset="utf-8"><title>Folien</title></head>' +
      '<body><h1>Tagesordnung</h1><script>alert(1)</script></body></html>\n', 'utf8'),
    executable: fs.readFileSync('/bin/true'),
  };
}
