#!/usr/bin/env python3
"""Writes lib/encoding/text_tables.inc from the Unicode Character Database.

The tables serve the Hugging Face tokenizer.json normalizers and pre-tokenizers
(lib/encoding/text_ops.cc):

  * per code point: General_Category, Canonical_Combining_Class, White_Space, Alphabetic,
    Cased, Case_Ignorable, the simple lowercase mapping (as a delta), whether the code point
    has a decomposition and whether it can be the second element of a canonical composition;
  * full (recursively expanded) canonical and compatibility decompositions;
  * canonical composition pairs, without the full composition exclusions.

Input: UnicodeData.txt, CompositionExclusions.txt, PropList.txt and DerivedCoreProperties.txt as
shipped by Debian's unicode-data package (/usr/share/unicode); DerivedNormalizationProps.txt is
only read to cross-check the derived exclusions. Usage:

    /usr/bin/python3 lib/encoding/gen_text_tables.py /usr/share/unicode > lib/encoding/text_tables.inc

With --normalization-test OUT it also writes a compact copy of NormalizationTest.txt (read from
NormalizationTest.txt or NormalizationTest.txt.bz2 in the same folder) for the unit tests: one
line per test case, "source;NFC;NFKC", code points in hex separated by spaces.
"""
import bz2
import os
import sys

GC_ORDER = [
    "Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps",
    "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co",
]
MAX_CP = 0x10FFFF
BLOCK = 128

# Flag bits; text_ops.cc mirrors them.
F_WHITE_SPACE = 1 << 0
F_ALPHABETIC = 1 << 1
F_CASED = 1 << 2
F_CASE_IGNORABLE = 1 << 3
F_CANON_DECOMP = 1 << 4
F_COMPAT_DECOMP = 1 << 5
F_COMP_SECOND = 1 << 6

S_BASE, L_BASE, V_BASE, T_BASE = 0xAC00, 0x1100, 0x1161, 0x11A7
L_COUNT, V_COUNT, T_COUNT = 19, 21, 28
S_COUNT = L_COUNT * V_COUNT * T_COUNT


def parse_ranges(path, wanted):
    """Yields (first, last, property) for the properties in `wanted` of a UCD property file."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#")[0].strip()
            if not line:
                continue
            fields = [x.strip() for x in line.split(";")]
            if fields[1] not in wanted:
                continue
            if ".." in fields[0]:
                a, b = fields[0].split("..")
                yield int(a, 16), int(b, 16), fields[1]
            else:
                cp = int(fields[0], 16)
                yield cp, cp, fields[1]


def read_unicode_data(path):
    gc, ccc, decomp, lower = {}, {}, {}, {}
    first = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split(";")
            cp = int(fields[0], 16)
            name = fields[1]
            if name.endswith(", First>"):
                first = cp
                continue
            cps = range(first, cp + 1) if name.endswith(", Last>") else [cp]
            first = None
            for c in cps:
                gc[c] = fields[2]
                if fields[3] != "0":
                    ccc[c] = int(fields[3])
            if fields[5]:
                parts = fields[5].split()
                compat = parts[0].startswith("<")
                if compat:
                    parts = parts[1:]
                decomp[cp] = (compat, [int(x, 16) for x in parts])
            if fields[13]:
                lower[cp] = int(fields[13], 16)
    return gc, ccc, decomp, lower


def full_decomposition(cp, decomp, compat):
    if S_BASE <= cp < S_BASE + S_COUNT:
        s = cp - S_BASE
        out = [L_BASE + s // (V_COUNT * T_COUNT), V_BASE + (s % (V_COUNT * T_COUNT)) // T_COUNT]
        if s % T_COUNT:
            out.append(T_BASE + s % T_COUNT)
        return out
    d = decomp.get(cp)
    if d is None or (d[0] and not compat):
        return [cp]
    out = []
    for c in d[1]:
        out.extend(full_decomposition(c, decomp, compat))
    return out


def read_version(ucd):
    with open(os.path.join(ucd, "ReadMe.txt"), encoding="utf-8") as f:
        for line in f:
            if "for Version" in line:
                return line.split("Version")[1].split()[0]
    return "unknown"


def write_normalization_test(ucd, out_path):
    src = os.path.join(ucd, "NormalizationTest.txt")
    if os.path.exists(src):
        f = open(src, encoding="utf-8")
    else:
        f = bz2.open(src + ".bz2", "rt", encoding="utf-8")
    n = 0
    with f, open(out_path, "w", encoding="ascii") as out:
        out.write(f"# From NormalizationTest.txt (Unicode {read_version(ucd)}), Debian unicode-data;\n")
        out.write("# columns: source;NFC;NFKC (code points in hex). Written by gen_text_tables.py.\n")
        for line in f:
            line = line.split("#")[0].strip()
            if not line or line.startswith("@"):
                continue
            cols = line.split(";")
            out.write(f"{cols[0]};{cols[1]};{cols[3]}\n")
            n += 1
    print(f"wrote {n} cases to {out_path}", file=sys.stderr)


def main():
    args = sys.argv[1:]
    test_out = None
    if "--normalization-test" in args:
        i = args.index("--normalization-test")
        test_out = args[i + 1]
        del args[i:i + 2]
    ucd = args[0] if args else "/usr/share/unicode"
    if test_out:
        write_normalization_test(ucd, test_out)
        return

    gc, ccc, decomp, lower = read_unicode_data(os.path.join(ucd, "UnicodeData.txt"))
    flags = {}

    def set_flag(a, b, bit):
        for c in range(a, b + 1):
            flags[c] = flags.get(c, 0) | bit

    for a, b, _ in parse_ranges(os.path.join(ucd, "PropList.txt"), {"White_Space"}):
        set_flag(a, b, F_WHITE_SPACE)
    for a, b, p in parse_ranges(os.path.join(ucd, "DerivedCoreProperties.txt"),
                                {"Alphabetic", "Cased", "Case_Ignorable"}):
        set_flag(a, b, {"Alphabetic": F_ALPHABETIC, "Cased": F_CASED,
                        "Case_Ignorable": F_CASE_IGNORABLE}[p])

    # Full composition exclusions: the listed exclusions, singletons and non-starter
    # decompositions (UAX #15); cross-checked against DerivedNormalizationProps.txt.
    excluded = set()
    with open(os.path.join(ucd, "CompositionExclusions.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                if ".." in line:
                    a, b = line.split("..")
                    excluded.update(range(int(a, 16), int(b, 16) + 1))
                else:
                    excluded.add(int(line, 16))
    for cp, (compat, parts) in decomp.items():
        if compat:
            continue
        if len(parts) == 1 or ccc.get(cp, 0) != 0 or ccc.get(parts[0], 0) != 0:
            excluded.add(cp)
    derived = set()
    for a, b, _ in parse_ranges(os.path.join(ucd, "DerivedNormalizationProps.txt"),
                                {"Full_Composition_Exclusion"}):
        derived.update(range(a, b + 1))
    assert derived == excluded, "derived composition exclusions differ from the UCD's"

    compositions = {}
    for cp, (compat, parts) in decomp.items():
        if compat or cp in excluded:
            continue
        assert len(parts) == 2
        compositions[(parts[0], parts[1])] = cp
        flags[parts[1]] = flags.get(parts[1], 0) | F_COMP_SECOND
    # Hangul: V jamo combine with L, T jamo with LV (algorithmic, not in the pair table).
    set_flag(V_BASE, V_BASE + V_COUNT - 1, F_COMP_SECOND)
    set_flag(T_BASE + 1, T_BASE + T_COUNT - 1, F_COMP_SECOND)

    # Decompositions, fully expanded; Hangul syllables are left to the algorithm.
    decomp_entries = []
    data = []
    for cp in sorted(decomp):
        canon = full_decomposition(cp, decomp, False)
        compat = full_decomposition(cp, decomp, True)
        if canon != [cp]:
            flags[cp] = flags.get(cp, 0) | F_CANON_DECOMP
        if compat != [cp]:
            flags[cp] = flags.get(cp, 0) | F_COMPAT_DECOMP
        c_off = len(data)
        data.extend(canon if canon != [cp] else [])
        k_off = len(data)
        if compat == canon:
            k_off, k_len = c_off, len(canon) if canon != [cp] else 0
        else:
            data.extend(compat)
            k_len = len(compat)
        c_len = len(canon) if canon != [cp] else 0
        assert c_len < 256 and k_len < 256 and len(data) < 65536
        decomp_entries.append((cp, c_off, c_len, k_off, k_len))

    props = {}
    prop_list = []
    block_map = {}
    blocks = []
    stage1 = []
    for base in range(0, MAX_CP + 1, BLOCK):
        block = []
        for cp in range(base, base + BLOCK):
            g = gc.get(cp, "Cn")
            low = lower.get(cp, cp) - cp
            key = (GC_ORDER.index(g), ccc.get(cp, 0), flags.get(cp, 0), low)
            if key not in props:
                props[key] = len(prop_list)
                prop_list.append(key)
            block.append(props[key])
        t = tuple(block)
        if t not in block_map:
            block_map[t] = len(blocks)
            blocks.append(t)
        stage1.append(block_map[t])
    assert len(prop_list) < 65536 and len(blocks) < 65536

    w = sys.stdout.write
    w("// Generated by lib/encoding/gen_text_tables.py from the Unicode Character Database\n")
    w(f"// (Unicode {read_version(ucd)}, Debian unicode-data); do not edit.\n")
    w(f'constexpr char kTextTablesUnicodeVersion[] = "{read_version(ucd)}";\n')
    w(f"constexpr int kPropBlockShift = {BLOCK.bit_length() - 1};\n\n")
    w("// Property records: {general category, combining class, flags, lowercase delta}.\n")
    w("constexpr CharProps kCharProps[] = {\n")
    for g, c, f, low in prop_list:
        w(f"  {{{g}, {c}, 0x{f:02X}, {low}}},\n")
    w("};\n\n")
    w(f"// Block of {BLOCK} code points -> block number.\n")
    w(f"constexpr uint16_t kPropStage1[{len(stage1)}] = {{\n")
    for i in range(0, len(stage1), 16):
        w("  " + ", ".join(str(x) for x in stage1[i:i + 16]) + ",\n")
    w("};\n\n")
    w("// Block number * block size + offset -> property record.\n")
    w(f"constexpr uint16_t kPropStage2[{len(blocks) * BLOCK}] = {{\n")
    for b in blocks:
        for i in range(0, BLOCK, 16):
            w("  " + ", ".join(str(x) for x in b[i:i + 16]) + ",\n")
    w("};\n\n")
    w("// Full decompositions, sorted by code point: {cp, canonical offset, canonical length,\n")
    w("// compatibility offset, compatibility length} into kDecompData. Length 0 = none.\n")
    w("constexpr DecompEntry kDecompEntries[] = {\n")
    for e in decomp_entries:
        w("  {0x%X, %d, %d, %d, %d},\n" % e)
    w("};\n\n")
    w(f"constexpr uint32_t kDecompData[{len(data)}] = {{\n")
    for i in range(0, len(data), 12):
        w("  " + ", ".join("0x%X" % x for x in data[i:i + 12]) + ",\n")
    w("};\n\n")
    w("// Canonical compositions {(first << 21) | second, composite}, sorted by key.\n")
    w("constexpr CompEntry kCompositions[] = {\n")
    for (a, b), c in sorted(compositions.items(), key=lambda kv: (kv[0][0] << 21) | kv[0][1]):
        w("  {0x%XULL, 0x%X},\n" % ((a << 21) | b, c))
    w("};\n")


if __name__ == "__main__":
    main()
