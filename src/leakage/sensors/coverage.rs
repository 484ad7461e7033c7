//! Greedy maximum coverage: sensors chosen one at a time, each the one that detects the most bursts not yet detected.
//!
//! Choosing k sensors that together detect the most bursts is the maximum
//! coverage problem, NP-hard in general; the greedy choice (always take the
//! sensor that adds the most undetected bursts) covers at least
//! 1 − 1/e ≈ 63 % of what the best k sensors could (Nemhauser, Wolsey and
//! Fisher 1978), and in practice much closer. Ties go to the candidate that
//! comes first in the list, so callers sort candidates in the tie order
//! they want.

/// One greedy choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    /// Position of the chosen candidate in the candidate list.
    pub candidate: usize,
    /// Bursts it detects that no earlier sensor detects.
    pub new_bursts: usize,
    /// Bursts detected by all sensors so far, this one included.
    pub covered: usize,
}

/// Picks up to `count` candidates greedily.
///
/// `detects[c]` lists the bursts (indices below `burst_count`) candidate
/// `c` detects. `already` are candidates placed before the search (their
/// bursts count as covered; they are not picked again). The search stops
/// early when no candidate adds a burst: another sensor would detect
/// nothing new.
pub fn greedy(
    detects: &[Vec<usize>],
    burst_count: usize,
    already: &[usize],
    count: usize,
) -> Vec<Pick> {
    let mut covered = vec![false; burst_count];
    let mut taken = vec![false; detects.len()];
    for &c in already {
        taken[c] = true;
        for &b in &detects[c] {
            covered[b] = true;
        }
    }
    let mut total = covered.iter().filter(|&&c| c).count();
    let mut picks = Vec::new();
    while picks.len() < count {
        let gain = |c: usize| detects[c].iter().filter(|&&b| !covered[b]).count();
        // The first candidate with the largest gain (a strict `>` keeps the earliest).
        let mut best: Option<(usize, usize)> = None;
        for c in (0..detects.len()).filter(|&c| !taken[c]) {
            let g = gain(c);
            if g > 0 && best.is_none_or(|(_, bg)| g > bg) {
                best = Some((c, g));
            }
        }
        let Some((c, g)) = best else {
            break;
        };
        taken[c] = true;
        for &b in &detects[c] {
            covered[b] = true;
        }
        total += g;
        picks.push(Pick {
            candidate: c,
            new_bursts: g,
            covered: total,
        });
    }
    picks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five bursts, four candidates:
    ///   A detects 0 1 2, B detects 2 3, C detects 3 4, D detects 0 1 2 3.
    /// By hand: D first (4 new), then C (burst 4 is the only new one, 1;
    /// A and B add 0), then nothing adds: the search stops at two.
    #[test]
    fn picks_by_new_bursts_and_stops_when_nothing_is_new() {
        let detects = vec![vec![0, 1, 2], vec![2, 3], vec![3, 4], vec![0, 1, 2, 3]];
        let picks = greedy(&detects, 5, &[], 4);
        let chosen: Vec<(usize, usize, usize)> = picks
            .iter()
            .map(|p| (p.candidate, p.new_bursts, p.covered))
            .collect();
        assert_eq!(chosen, vec![(3, 4, 4), (2, 1, 5)]);
    }

    /// A and B both detect two new bursts; A comes first in the list and wins.
    #[test]
    fn ties_go_to_the_first_candidate() {
        let detects = vec![vec![0, 1], vec![2, 3], vec![0]];
        let picks = greedy(&detects, 4, &[], 1);
        assert_eq!(picks[0].candidate, 0);
        let picks = greedy(&detects, 4, &[], 2);
        assert_eq!(picks[1].candidate, 1);
        assert_eq!(picks[1].covered, 4);
    }

    /// With A already placed (0 1 2 covered), B's gain is 1 (burst 3) and
    /// C's is 2 (3 and 4): C is picked, then nothing is left.
    #[test]
    fn sensors_already_placed_count_as_covered() {
        let detects = vec![vec![0, 1, 2], vec![2, 3], vec![3, 4]];
        let picks = greedy(&detects, 5, &[0], 3);
        assert_eq!(picks.len(), 1);
        assert_eq!((picks[0].candidate, picks[0].new_bursts), (2, 2));
        assert_eq!(picks[0].covered, 5);
    }
}
