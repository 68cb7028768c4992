#!/usr/bin/env python3
"""Builds report/testdata/fixture: a run folder with every optional report
section. Usage (from the repository root, after
`exomir run -samplesheet testdata/demo/samplesheet.tsv -out RUN -contrast condition,tumor,control`):

    python3 report/testdata/make_fixture.py RUN report/testdata/fixture

The counts, DE, ROC, lengths and summary come from the demo run, cut to the
300 miRNAs with the highest baseMean; the new sections' files (class_,
trf_, clade_, isomir_, qc_ summary rows, spikein_counts.tsv,
exogenous_counts.tsv, editing.tsv, panel/) are made up here from a seeded
random generator in the formats the other exomir commands write.
"""
import os
import random
import shutil
import sys

run, out = sys.argv[1], sys.argv[2]
rng = random.Random(13)
os.makedirs(os.path.join(out, "panel"), exist_ok=True)


def rows(path):
    with open(path) as fh:
        return [l.rstrip("\n").split("\t") for l in fh]


de = rows(os.path.join(run, "de.tsv"))
keep = sorted(de[1:], key=lambda r: -float(r[1]))[:300]
keep = {r[0] for r in keep}
for name in ("de.tsv", "roc.tsv", "mirna_counts.tsv"):
    t = rows(os.path.join(run, name))
    with open(os.path.join(out, name), "w") as fh:
        for r in t:
            if r is t[0] or r[0] in keep:
                fh.write("\t".join(r) + "\n")
for name in ("coldata.tsv", "exomir_lengths_mqc.json"):
    shutil.copy(os.path.join(run, name), os.path.join(out, name))

summary = rows(os.path.join(run, "summary.tsv"))
samples = summary[0][1:]
ns = len(samples)
extra = []
for cls, lo, hi in [("tRNA", 2000, 6000), ("rRNA", 500, 1500), ("snRNA", 50, 300), ("snoRNA", 50, 300),
                    ("YRNA", 300, 1200), ("vaultRNA", 10, 80), ("SRP_RNA", 20, 120), ("piRNA", 30, 200)]:
    extra.append(["class_" + cls] + [str(rng.randint(lo, hi)) for _ in samples])
for trf in ["5p_tRF", "3p_tRF", "i_tRF", "5p_tRNA_half", "3p_tRNA_half"]:
    extra.append(["trf_" + trf] + [str(rng.randint(100, 1500)) for _ in samples])
for clade in ["virus", "bacteria", "plant", "rodent"]:
    extra.append(["clade_" + clade] + [str(rng.randint(0, 40)) for _ in samples])
iso = []
for _ in samples:
    c = rng.uniform(0.35, 0.5)
    s5 = rng.uniform(0.03, 0.08)
    s3 = rng.uniform(0.25, 0.35)
    a = [rng.uniform(0.01, 0.08) for _ in "ACGU"]
    snv = rng.uniform(0.02, 0.06)
    iso.append([c, s5, s3] + a + [snv])
for k, name in enumerate(["canonical", "5p_shift", "3p_shift", "add3p_A", "add3p_C", "add3p_G", "add3p_U", "snv"]):
    extra.append(["isomir_" + name + "_frac"] + ["%.4f" % iso[i][k] for i in range(ns)])
extra.append(["qc_transcriptome_reads"] + [rng.choice(["pass", "pass", "warn"]) for _ in samples])
extra.append(["qc_annotated_share"] + ["pass" for _ in samples])
extra.append(["qc_complexity"] + [rng.choice(["pass", "fail"]) for _ in samples])
# before the last three rows (mirnas_detected, mirnas_detected_10, study_warnings)
summary = summary[:-3] + extra + summary[-3:]
with open(os.path.join(out, "summary.tsv"), "w") as fh:
    for r in summary:
        fh.write("\t".join(r) + "\n")

with open(os.path.join(out, "spikein_counts.tsv"), "w") as fh:
    fh.write("spikein\t" + "\t".join(samples) + "\n")
    for k, sp in enumerate(["UniSp2", "UniSp4", "UniSp5", "cel-miR-39-3p", "cel-miR-54-5p"]):
        base = 10 ** (1.5 + 0.6 * k)
        fh.write(sp + "\t" + "\t".join(str(int(base * rng.uniform(0.6, 1.4))) for _ in samples) + "\n")

with open(os.path.join(out, "exogenous_counts.tsv"), "w") as fh:
    fh.write("mirna\tspecies\t" + "\t".join(samples) + "\n")
    for name, sp in [("ebv-miR-BART1-5p", "Epstein-Barr virus"), ("hcmv-miR-UL112-3p", "human cytomegalovirus"),
                     ("kshv-miR-K12-1-5p", "Kaposi sarcoma herpesvirus"), ("ath-miR156a-5p", "Arabidopsis thaliana"),
                     ("osa-miR168a-5p", "Oryza sativa"), ("mmu-miR-706", "Mus musculus")]:
        fh.write(name + "\t" + sp + "\t" + "\t".join(str(rng.choice([0, 0, 1, 2, 5, 12])) for _ in samples) + "\n")

with open(os.path.join(out, "editing.tsv"), "w") as fh:
    fh.write("mirna\tposition\tsample\tedited\tcovering\tlevel\tpadj\n")
    for mir, pos, lvl, padj in [("hsa-miR-376a-3p", 6, 0.45, "1.2e-08"), ("hsa-miR-376c-3p", 6, 0.3, "3.4e-05"),
                                ("hsa-miR-411-5p", 5, 0.12, "0.004"), ("hsa-miR-381-3p", 4, 0.05, "0.2"),
                                ("hsa-miR-99a-5p", 12, 0.01, "NA")]:
        for s in samples:
            cov = rng.randint(40, 400)
            ed = int(round(cov * max(0.0, rng.gauss(lvl, lvl / 4 + 0.005))))
            fh.write("%s\t%d\t%s\t%d\t%d\t%.4f\t%s\n" % (mir, pos, s, ed, cov, ed / cov, padj))

p = os.path.join(out, "panel")
with open(os.path.join(p, "cv_auc.tsv"), "w") as fh:
    fh.write("auc\tlower\tupper\n0.8125\t0.6903\t0.9347\n")
    for _ in range(3):
        a = rng.uniform(0.7, 0.9)
        fh.write("%.4f\t%.4f\t%.4f\n" % (a, a - 0.15, min(1, a + 0.15)))
with open(os.path.join(p, "roc.tsv"), "w") as fh:
    fh.write("fpr\ttpr\n")
    tpr = 0.0
    for i in range(11):
        fpr = i / 10
        tpr = min(1.0, max(tpr, fpr ** 0.4 + rng.uniform(-0.03, 0.03)))
        fh.write("%.3f\t%.3f\n" % (fpr, tpr if i else 0.0))
mirs = sorted(keep)[:30]
with open(os.path.join(p, "stability.tsv"), "w") as fh:
    fh.write("mirna\tselection_frequency\tmean_coefficient\n")
    for m in mirs:
        fh.write("%s\t%.3f\t%.4f\n" % (m, rng.random(), rng.gauss(0, 0.5)))
with open(os.path.join(p, "coefficients.tsv"), "w") as fh:
    lams = [0.2, 0.1, 0.05]
    fh.write("term\t" + "\t".join("lambda=%g" % l for l in lams) + "\n")
    fh.write("(Intercept)\t" + "\t".join("%.4f" % rng.gauss(0, 1) for _ in lams) + "\n")
    for m in mirs[:8]:
        fh.write(m + "\t" + "\t".join("%.4f" % (rng.gauss(0, 0.4) if rng.random() < 0.6 else 0) for _ in lams) + "\n")
