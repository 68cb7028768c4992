package diffexp

import "math"

// geneEstReplay estimates the gene-wise dispersion of row i exactly as
// DESeq2's estimateDispersionsGeneEst does, step for step: its gradient
// line search from the same start (lineSearch), the start kept when the
// log posterior rises by less than |lp0|·1e-6, and the grid search where
// the line search did not converge (one iteration, or maxit).
//
// The transforms use it because their dispersion trend is fitted to these
// estimates: DESeq2's line search stops where the rise falls below 1e-6,
// up to a few percent short of the maximum where the likelihood is flat,
// and the local (locfit) trend follows the estimates of each neighbourhood
// closely enough that the maxima (geneEst's Newton fit) moved the local
// VST by up to 4e-4 against DESeq2's. The replay costs about five times
// geneEst (12 line-search iterations for 200 samples against about five
// Newton steps), so DESeq and the global trends keep geneEst.
//
// Unlike geneEst it leaves pl.geState unset (no MAP fit follows) and does
// not keep μ in pl.mu.
func (pl *pipeline) geneEstReplay(w, i int) {
	ws := pl.dws[w]
	y := pl.row(i)
	a0 := pl.dm.initialDisp(y, ws)
	pl.dm.rowMu(y, a0, ws)
	la, iter, lp0, lp := pl.dm.lineSearch(y, ws.mu, math.Log(a0), 0, 0, ws)
	est := math.Min(math.Exp(la), pl.dm.maxDisp)
	if lp < lp0+math.Abs(lp0)/1e6 {
		est = a0
	}
	// DESeq2 counts a fit that stopped after one iteration as unconverged
	if (iter == 1 || iter >= lsMaxIter) && est > 10*minDisp {
		est = math.Exp(pl.dm.gridSearch(y, ws.mu, 0, 0, ws))
	}
	pl.res.DispGeneEst[i] = math.Min(math.Max(est, minDisp), pl.dm.maxDisp)
}

// geneEstRows estimates the gene-wise dispersions of the rows nz, by
// geneEstReplay when replay is set, else by geneEst.
func (pl *pipeline) geneEstRows(nz []int, replay bool) error {
	if replay {
		return pl.parallel(len(nz), func(w, k int) { pl.geneEstReplay(w, nz[k]) })
	}
	return pl.parallel(len(nz), func(w, k int) { pl.geneEst(w, nz[k]) })
}
