package report

import (
	"math"

	"github.com/exomir/exomir/internal/corr"
)

// correlationDistance is 1 − Pearson r of a and b; 1 when either is flat.
func correlationDistance(a, b []float64) float64 {
	r := corr.Pearson(a, b)
	if math.IsNaN(r) {
		return 1
	}
	return 1 - r
}

// merge is one join of the dendrogram: clusters a and b (leaf i is
// cluster i, merge k makes cluster n+k) at a height.
type merge struct {
	a, b   int
	height float64
}

// averageLinkageOrder clusters the vectors by average linkage (UPGMA) on
// 1 − Pearson correlation and returns the leaf order of the dendrogram.
func averageLinkageOrder(vs [][]float64) []int {
	order, _ := averageLinkage(vs)
	return order
}

// averageLinkage is averageLinkageOrder that also returns the merges.
// At each merge the cluster holding the lower original index goes first,
// and ties between equal distances go to the lowest pair of cluster ids, so
// the order depends only on the data. O(n³): fine for the few hundred
// samples or miRNAs a heatmap shows.
func averageLinkage(vs [][]float64) ([]int, []merge) {
	n := len(vs)
	if n == 0 {
		return nil, nil
	}
	dist := make([][]float64, n)
	for i := range dist {
		dist[i] = make([]float64, n)
		for j := 0; j < i; j++ {
			dist[i][j] = correlationDistance(vs[i], vs[j])
			dist[j][i] = dist[i][j]
		}
	}
	members := make([][]int, n)
	alive := make([]bool, n)
	id := make([]int, n) // dendrogram cluster id held in slot i
	for i := range members {
		members[i] = []int{i}
		alive[i] = true
		id[i] = i
	}
	var merges []merge
	for left := n; left > 1; left-- {
		bi, bj, best := -1, -1, math.Inf(1)
		for i := 0; i < n; i++ {
			if !alive[i] {
				continue
			}
			for j := i + 1; j < n; j++ {
				if alive[j] && dist[i][j] < best {
					bi, bj, best = i, j, dist[i][j]
				}
			}
		}
		if bi < 0 { // NaN distances: join the first two left
			for i := 0; i < n && bj < 0; i++ {
				if alive[i] {
					if bi < 0 {
						bi = i
					} else {
						bj = i
					}
				}
			}
		}
		h := best
		if math.IsInf(h, 1) || math.IsNaN(h) {
			h = 1
		}
		if len(merges) > 0 {
			h = math.Max(h, merges[len(merges)-1].height) // NaN joins stay on top
		}
		merges = append(merges, merge{id[bi], id[bj], h})
		id[bi] = n + len(merges) - 1
		ni, nj := float64(len(members[bi])), float64(len(members[bj]))
		for k := 0; k < n; k++ {
			if alive[k] && k != bi && k != bj {
				d := (ni*dist[bi][k] + nj*dist[bj][k]) / (ni + nj)
				dist[bi][k], dist[k][bi] = d, d
			}
		}
		members[bi] = append(members[bi], members[bj]...)
		members[bj] = nil
		alive[bj] = false
	}
	for i := range alive {
		if alive[i] {
			return members[i], merges
		}
	}
	return nil, nil
}

// dendroSegments returns the line segments of a dendrogram in two
// coordinates: pos along the leaves (leaf at its rank in order, a cluster
// at the mean of its two children) and height (0 at the leaves).
func dendroSegments(order []int, merges []merge) (segs [][4]float64, maxH float64) {
	n := len(order)
	pos := make([]float64, n+len(merges))
	hgt := make([]float64, n+len(merges))
	for rank, leaf := range order {
		pos[leaf] = float64(rank)
	}
	for k, m := range merges {
		c := n + k
		pos[c] = (pos[m.a] + pos[m.b]) / 2
		hgt[c] = m.height
		maxH = math.Max(maxH, m.height)
		segs = append(segs,
			[4]float64{pos[m.a], hgt[m.a], pos[m.a], m.height},
			[4]float64{pos[m.b], hgt[m.b], pos[m.b], m.height},
			[4]float64{pos[m.a], m.height, pos[m.b], m.height})
	}
	return segs, maxH
}
