//! Agreement statistics for comparing the scorer with human grades.

/// Pearson correlation; `None` when either side has no variance or lengths differ.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Ranks with ties given their average rank (1-based).
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman rank correlation (Pearson over tie-averaged ranks).
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

/// `y ≈ intercept + slope · x`, fitted by least squares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearMap {
    pub intercept: f64,
    pub slope: f64,
}

impl LinearMap {
    pub fn fit(x: &[f64], y: &[f64]) -> Option<LinearMap> {
        if x.len() != y.len() || x.is_empty() {
            return None;
        }
        let n = x.len() as f64;
        let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
        let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        Some(LinearMap {
            intercept: my - slope * mx,
            slope,
        })
    }

    pub fn apply(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// Root mean squared error of `map(x)` against `y`.
pub fn rmse(map: LinearMap, x: &[f64], y: &[f64]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    let sse: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| (map.apply(*a) - b).powi(2))
        .sum();
    (sse / x.len() as f64).sqrt()
}

/// The figures `eval` reports for one set of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    pub n: usize,
    pub pearson: Option<f64>,
    pub spearman: Option<f64>,
    /// RMSE on the grade scale after `map`.
    pub rmse: f64,
    pub map: LinearMap,
}

impl Agreement {
    /// Fits its own linear map unless one is given (per-group figures reuse the global map).
    pub fn measure(scores: &[f64], grades: &[f64], map: Option<LinearMap>) -> Option<Agreement> {
        let map = map.or_else(|| LinearMap::fit(scores, grades))?;
        Some(Agreement {
            n: scores.len(),
            pearson: pearson(scores, grades),
            spearman: spearman(scores, grades),
            rmse: rmse(map, scores, grades),
            map,
        })
    }
}

/// A 95% percentile-bootstrap interval for Pearson r: `resamples` draws of the rows with
/// replacement, each index drawn by `draw(n)` (0..n; the caller passes a seeded generator so the
/// interval is reproducible). `None` with fewer than three rows or no variance.
pub fn pearson_interval(
    x: &[f64],
    y: &[f64],
    resamples: usize,
    mut draw: impl FnMut(usize) -> usize,
) -> Option<(f64, f64)> {
    let n = x.len();
    if n < 3 || y.len() != n {
        return None;
    }
    // One pass per resample over sums of values centred on the whole sample's means (centred,
    // the sums stay as accurate as the two-pass formula): no resample is copied out.
    let (mx, my) = (
        x.iter().sum::<f64>() / n as f64,
        y.iter().sum::<f64>() / n as f64,
    );
    let centred: Vec<(f64, f64)> = x.iter().zip(y).map(|(a, b)| (a - mx, b - my)).collect();
    let mut rs: Vec<f64> = (0..resamples)
        .filter_map(|_| {
            let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for _ in 0..n {
                let (a, b) = centred[draw(n)];
                sx += a;
                sy += b;
                sxx += a * a;
                syy += b * b;
                sxy += a * b;
            }
            let k = n as f64;
            let (vx, vy) = (sxx - sx * sx / k, syy - sy * sy / k);
            (vx > 0.0 && vy > 0.0).then(|| (sxy - sx * sy / k) / (vx * vy).sqrt())
        })
        .collect();
    if rs.is_empty() {
        return None;
    }
    rs.sort_by(f64::total_cmp);
    let at = |q: f64| rs[((q * (rs.len() - 1) as f64).round() as usize).min(rs.len() - 1)];
    Some((at(0.025), at(0.975)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_interval_contains_the_estimate_and_narrows_with_more_rows() {
        // A deterministic "random" index stream (an LCG) keeps the test reproducible.
        let mut state = 12345u64;
        let mut draw = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % n as u64) as usize
        };
        let x: Vec<f64> = (0..200).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| v + 40.0 * ((v * 7.3).sin())).collect();
        let r = pearson(&x, &y).unwrap();
        let (lo, hi) = pearson_interval(&x, &y, 500, &mut draw).unwrap();
        assert!(lo < r && r < hi, "{lo} {r} {hi}");
        let (lo20, hi20) = pearson_interval(&x[..20], &y[..20], 500, &mut draw).unwrap();
        assert!(hi20 - lo20 > hi - lo, "fewer rows, wider interval");
        assert_eq!(pearson_interval(&x[..2], &y[..2], 10, &mut draw), None);
    }

    #[test]
    fn perfect_and_inverse_correlation() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((pearson(&x, &[2.0, 4.0, 6.0, 8.0]).unwrap() - 1.0).abs() < 1e-12);
        assert!((pearson(&x, &[8.0, 6.0, 4.0, 2.0]).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(pearson(&x, &[1.0; 4]), None);
    }

    #[test]
    fn known_values() {
        // Checked by hand: r = 0.8 for this textbook example.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 1.0, 4.0, 3.0, 5.0];
        assert!((pearson(&x, &y).unwrap() - 0.8).abs() < 1e-12);
        assert!((spearman(&x, &y).unwrap() - 0.8).abs() < 1e-12);
    }

    #[test]
    fn ties_get_average_ranks() {
        assert_eq!(ranks(&[10.0, 20.0, 20.0, 5.0]), vec![2.0, 3.5, 3.5, 1.0]);
    }

    #[test]
    fn linear_map_recovers_a_line_and_rmse_is_zero_on_it() {
        let x = [0.0, 50.0, 100.0];
        let y = [1.0, 3.0, 5.0];
        let m = LinearMap::fit(&x, &y).unwrap();
        assert!((m.slope - 0.04).abs() < 1e-12 && (m.intercept - 1.0).abs() < 1e-12);
        assert!(rmse(m, &x, &y) < 1e-12);
    }
}
