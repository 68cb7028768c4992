#!/usr/bin/env python3
"""Builds the embedded human small-RNA annotation (quant/annotation/*.fa.gz).

usage: build.py SMALLRNA_DIR NC_012920.fa OUT_DIR   (tRNA, rRNA, snRNA, snoRNA)
       build.py --misc GENCODE_NCRNA.fa OUT_DIR        (YRNA, vaultRNA, SRP_RNA)
SMALLRNA_DIR is the shared small-RNA folder (see SOURCES.md here);
NC_012920.fa is the RefSeq human mitochondrial genome (public domain);
GENCODE_NCRNA.fa is tsRNAsearch's DBs/human_tRNAs-and-ncRNAs_relative_cdhit.fa
@acffe2b (GENCODE GRCh38 small-RNA genes; MIT).
Every choice (pruning, coordinates) is described in SOURCES.md.
"""
import gzip, re, sys


def fasta(path):
    recs = []
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith(">"):
            recs.append([line[1:], []])
        elif recs:
            recs[-1][1].append(line.strip())
    return [(h, "".join(s).upper().replace("U", "T")) for h, s in recs]

def revcomp(s):
    return s[::-1].translate(str.maketrans("ACGT", "TGCA"))

def write(name, recs):
    with open(f"{out}/{name}", "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
            for h, s in recs:
                f.write(f">{h}\n{s}\n".encode())

# YRNA, vaultRNA, SRP_RNA: the named genes of GENCODE's misc_RNA biotype
# (gene spans, 3' U tract included) as carried by tsRNAsearch (MIT), plus
# VTRNA2-1 from RefSeq NR_030583.3 (public domain; GENCODE has it only as
# an unnamed "Vault" gene, ENSG00000278815.1, checked equal below). RNY5
# is in neither file and is not embedded (SOURCES.md).
def build_misc(gencode):
    genes, vault_copy = {}, None
    for h, s in fasta(gencode):
        m = re.search(r'gene_name "([^"]+)"', h)
        if m:
            genes.setdefault(m.group(1), []).append((h.split("\t")[0], s))
        if h.startswith("ENSG00000278815."):
            vault_copy = s
    # NR_030583.3 bases 1-102, to the end of the U tract (its last 6 nt,
    # ATGCAA, lie past the Pol III terminator).
    vtrna21 = "CGGGTCGGAGTTAGCTCAAGCGGTTACCTCCTCATGCCGGACTTTCTATCTGTCCATCTCTGTGCTGGGGTTCGAGACCCGCGGGTGCTTACTGACCCTTTT"
    assert vault_copy == vtrna21[1:], "GENCODE ENSG00000278815 differs from NR_030583.3"
    # Consistency checks: sequences as written in independent public files
    # (named in SOURCES.md) must lie in the GENCODE records.
    checks = {
        "RNY1": "GGCTGGTCCGAAGGTAGTGAGTTATCTCAATT",
        "RNY4": "GGCTGGTCCGATGGTAGTGGGTTATCAGAACT",
        "VTRNA1-2": "GGCTGGCTTTAGCTCAGCGGTTACTTCGAGTACATTGTAACCACCTCTCTGGGTGGTTCGAGACCCGCGGGTGCTTTCCAGCTCTTTT",
        "RN7SL1": "GCCGGGCGCGGTGGCGCGTGCCTGTAGTCCCAGCTACTCGGGAGGCTGAGGCTGGAGGATCGCTTGAGTCCAGGAGTTCTGGGCTGTAGTGCGCTATGCCGATCGGGTGTCCGCACTAAGTTCGGCATCAATATGGTGACCTCCCGGGAGCGGGGGACCACCAGGTTGCCTAAGGAGGGGTGAACCGGCCCAGGTCGGAAACGGAGCAGGTCAAAACTCCCGTGCTGATCAGTAGTGGGATCGCGCCTGTGAATAGCCACTGCACTCCAGCCTGGGCAACATAGCGAGACCCCGTCTCT",
    }
    def one(sym):
        (gid, s), = genes[sym]
        assert checks.get(sym, "") in s, sym
        return (f"{sym} {gid} GENCODE", s)
    write("YRNA.fa.gz", [one(g) for g in ("RNY1", "RNY3", "RNY4")])
    write("vaultRNA.fa.gz", [one(g) for g in ("VTRNA1-1", "VTRNA1-2", "VTRNA1-3")] +
          [("VTRNA2-1 NR_030583.3:1-102 RefSeq", vtrna21)])
    write("SRP_RNA.fa.gz", [one(g) for g in ("RN7SL1", "RN7SL2", "RN7SL3")])

if sys.argv[1] == "--misc":
    out = sys.argv[3]
    build_misc(sys.argv[2])
    sys.exit(0)

src, mtfa, out = sys.argv[1:4]

# tRNA: tDRmapper's hg19 GtRNAdb set (MIT): mature with CCA and anticodon
# coordinates, pre-tRNA with 40-nt leader and trailer; plus the 22
# mitochondrial tRNAs cut from NC_012920 (+CCA).
trna = []
mature = {}
for h, s in fasta(f"{src}/tdrmapper/hg19_mature_and_pre.fa"):
    name = h.split("\t")[0]
    if name.startswith("pre-"):
        continue
    a, b = h.split("\t")[1].split("-")
    mature[name] = s
    trna.append((f"{name} anticodon={a}-{b}", s))
for h, s in fasta(f"{src}/tdrmapper/hg19_mature_and_pre.fa"):
    name = h.split("\t")[0]
    if not name.startswith("pre-"):
        continue
    parent = name[4:]
    # The gene's own mature, else one of its family (identical copies such
    # as Ala-AGC-2-2 are listed once, as Ala-AGC-2-1).
    family = parent.rsplit("-", 1)[0] + "-"
    cands = [parent] if parent in mature else []
    cands += sorted(k for k in mature if k.startswith(family) and k != parent)
    desc = ""
    for c in cands:
        body = mature[c][:-3]
        i = s.find(body[:15])
        j = s.rfind(body[-15:])
        if i >= 0 and j >= 0 and j + 15 > i and j + 15 - i <= len(body) + 120:
            desc = f" body={i + 1}-{j + 15}"
            break
    trna.append((f"{name}{desc}", s))
mt = fasta(mtfa)[0][1]
# (symbol, amino acid, anticodon, start, end, strand) on NC_012920.1 (RefSeq
# annotation, 1-based inclusive).
mttrna = [
    ("MT-TF", "Phe", "GAA", 577, 647, "+"), ("MT-TV", "Val", "TAC", 1602, 1670, "+"),
    ("MT-TL1", "Leu", "TAA", 3230, 3304, "+"), ("MT-TI", "Ile", "GAT", 4263, 4331, "+"),
    ("MT-TQ", "Gln", "TTG", 4329, 4400, "-"), ("MT-TM", "Met", "CAT", 4402, 4469, "+"),
    ("MT-TW", "Trp", "TCA", 5512, 5579, "+"), ("MT-TA", "Ala", "TGC", 5587, 5655, "-"),
    ("MT-TN", "Asn", "GTT", 5657, 5729, "-"), ("MT-TC", "Cys", "GCA", 5761, 5826, "-"),
    ("MT-TY", "Tyr", "GTA", 5826, 5891, "-"), ("MT-TS1", "Ser", "TGA", 7446, 7514, "-"),
    ("MT-TD", "Asp", "GTC", 7518, 7585, "+"), ("MT-TK", "Lys", "TTT", 8295, 8364, "+"),
    ("MT-TG", "Gly", "TCC", 9991, 10058, "+"), ("MT-TR", "Arg", "TCG", 10405, 10469, "+"),
    ("MT-TH", "His", "GTG", 12138, 12206, "+"), ("MT-TS2", "Ser", "GCT", 12207, 12265, "+"),
    ("MT-TL2", "Leu", "TAG", 12266, 12336, "+"), ("MT-TE", "Glu", "TTC", 14674, 14742, "-"),
    ("MT-TT", "Thr", "TGT", 15888, 15953, "+"), ("MT-TP", "Pro", "TGG", 15956, 16023, "-"),
]
assert len(mt) == 16569
for sym, aa, ac, a, b, strand in mttrna:
    s = mt[a - 1:b]
    if strand == "-":
        s = revcomp(s)
    # The anticodon nearest the canonical positions 34-36.
    cands = [i for i in range(15, 45) if s[i:i + 3] == ac]
    assert cands, sym
    i = min(cands, key=lambda i: abs(i - 33))
    trna.append((f"{sym} anticodon={i + 1}-{i + 3} mt-tRNA-{aa}-{ac} NC_012920.1:{a}-{b}({strand})", s + "CCA"))
write("tRNA.fa.gz", trna)

# rRNA: the 45S pieces (5'ETS, 18S, ITS1, 5.8S, ITS2, 28S, 3'ETS) and 5S of
# RNA-SPRITE (MIT)
# plus MT-RNR1/MT-RNR2 cut from NC_012920. (The pieces come from a curated
# rDNA unit and differ slightly from wf-nanoribolyzer RNA45SN1: 13,346 vs
# 13,351 nt, so the latter is not embedded.)
pieces = {h: s for h, s in fasta(f"{src}/rnasprite/Homo_sapiens.GRCh38.snRNAsnoRNArRNAtRNA.nameedit.fixed.fa") if h.startswith("ENST_") and "tRNA" not in h}
order = [("ENST_5ETS_45SrRNA", "RNA45S-5ETS"), ("ENST_18SrRNA", "RNA18S"), ("ENST_ITS1_45SrRNA", "RNA45S-ITS1"),
         ("ENST_5_8SrRNA", "RNA5-8S"), ("ENST_ITS2_45SrRNA", "RNA45S-ITS2"), ("ENST_28SrRNA", "RNA28S"),
         ("ENST_3ETS_45SrRNA", "RNA45S-3ETS")]
rrna = []
for k, name in order:
    rrna.append((name, pieces[k]))
rrna.append(("RNA5S", pieces["ENST_5SrRNA"]))
rrna.append(("MT-RNR1 NC_012920.1:648-1601", mt[647:1601]))
rrna.append(("MT-RNR2 NC_012920.1:1671-3229", mt[1670:3229]))
write("rRNA.fa.gz", rrna)

# snRNA and snoRNA: Ensembl GRCh38 ncRNA records of RNA-SPRITE (MIT),
# pruned to named genes on the primary assembly: HGNC symbols starting
# RN/SNOR/SCARNA, not pseudogenes (symbol ending in P or P<digits>), no
# clone names, no Rfam family placeholders (U6, snoU13…), no alternative
# haplotypes or patches; identical sequences are one record, names joined
# with "/".
def ensembl(biotype):
    seen = {}
    for h, s in fasta(f"{src}/rnasprite/Homo_sapiens.GRCh38.snRNAsnoRNArRNAtRNA.nameedit.fixed.fa"):
        m = re.search(r"gene_symbol:(\S+)", h)
        if not m or f"gene_biotype:{biotype}" not in h:
            continue
        g = m.group(1)
        chrom = re.search(r"chromosome:GRCh38:([^:]+):", h)
        if not chrom or not re.match(r"^(\d+|X|Y|MT)$", chrom.group(1)):
            continue
        if not re.match(r"^(RN|SNOR|SCARNA)", g) or re.search(r"P\d*$", g) or "." in g:
            continue
        seen.setdefault(s, [])
        if g not in seen[s]:
            seen[s].append(g)
    return [("/".join(sorted(v)), s) for s, v in sorted(seen.items(), key=lambda x: sorted(x[1])[0])]
write("snRNA.fa.gz", ensembl("snRNA"))
write("snoRNA.fa.gz", ensembl("snoRNA"))
