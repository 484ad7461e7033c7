//! Volume segments: the parcels of water, each of one quality, that fill a pipe or a tank.
//!
//! A [`Chain`] is a queue of segments. Its front is the *leading* segment,
//! the one that leaves first (at a pipe's downstream end, or a tank's
//! oldest water); its back is the *trailing* segment, where new water
//! enters. Capacity is kept between steps, so moving water allocates only
//! when a chain holds more segments than it ever did.

use std::collections::VecDeque;

/// A parcel of water of one quality.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Volume, m³.
    pub volume_m3: f64,
    /// Quality (internal concentration units: mass/m³, hours or percent).
    pub quality: f64,
}

/// The segments of one pipe or tank, leading segment first.
pub type Chain = VecDeque<Segment>;

/// Takes `volume_m3` from the leading end of a pipe's chain (what flows
/// out of its downstream end over a step) and returns the (volume, mass)
/// taken. Segments emptied are removed; a chain holding less water than
/// asked gives what it has.
pub fn withdraw_leading(chain: &mut Chain, volume_m3: f64) -> (f64, f64) {
    let mut left = volume_m3;
    let (mut volume, mut mass) = (0.0, 0.0);
    while left > 0.0 {
        let Some(seg) = chain.front_mut() else {
            break;
        };
        let taken = seg.volume_m3.min(left);
        volume += taken;
        mass += taken * seg.quality;
        left -= taken;
        if taken >= seg.volume_m3 {
            chain.pop_front();
        } else {
            seg.volume_m3 -= taken;
        }
    }
    (volume, mass)
}

/// Adds `volume_m3` of water of `quality` at the trailing end of a chain:
/// merged into the trailing segment when their qualities differ by less
/// than `tolerance` (EPANET's `Ctol`), else as a new segment.
pub fn push_trailing(chain: &mut Chain, volume_m3: f64, quality: f64, tolerance: f64) {
    if let Some(last) = chain.back_mut() {
        if (last.quality - quality).abs() < tolerance {
            let total = last.volume_m3 + volume_m3;
            last.quality = (last.quality * last.volume_m3 + quality * volume_m3) / total;
            last.volume_m3 = total;
            return;
        }
    }
    chain.push_back(Segment { volume_m3, quality });
}

/// Volume and mass (quality × volume) held in a chain.
pub fn contents(chain: &Chain) -> (f64, f64) {
    chain.iter().fold((0.0, 0.0), |(v, m), s| {
        (v + s.volume_m3, m + s.volume_m3 * s.quality)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(volume_m3: f64, quality: f64) -> Segment {
        Segment { volume_m3, quality }
    }

    #[test]
    fn withdrawing_takes_leading_water_first() {
        let mut chain: Chain = [seg(2.0, 1.0), seg(3.0, 5.0)].into_iter().collect();
        let (v, m) = withdraw_leading(&mut chain, 3.0);
        assert_eq!(v, 3.0);
        assert_eq!(m, 2.0 * 1.0 + 1.0 * 5.0);
        assert_eq!(chain.len(), 1);
        assert_eq!(chain[0].volume_m3, 2.0);
    }

    #[test]
    fn pushing_merges_within_tolerance_only() {
        let mut chain = Chain::new();
        push_trailing(&mut chain, 1.0, 1.0, 0.01);
        push_trailing(&mut chain, 1.0, 1.005, 0.01);
        assert_eq!(chain.len(), 1);
        assert!((chain[0].quality - 1.0025).abs() < 1e-12);
        push_trailing(&mut chain, 1.0, 2.0, 0.01);
        assert_eq!(chain.len(), 2);
        assert_eq!(contents(&chain), (3.0, 1.0 + 1.005 + 2.0));
    }
}
