package diffexp

import "math"

var nan64 = math.NaN()
