//! Tank mixing models: complete mix, two compartments, plug flow (FIFO) and stacked plug flow (LIFO).
//!
//! Each model updates a tank's segments with one quality step's inflow
//! volume `vin` (m³), inflow mass `win` and net volume change `vnet =
//! vin − vout`, and returns the quality of the water the tank releases
//! (EPANET `tankmix1` … `tankmix4`, chapter 3.4 of the EPANET manual).
//! Volumes follow the flows, not the hydraulic levels, as in EPANET.

use super::segments::{Chain, Segment};
use crate::network::MixingModel;

/// One step's exchange of a tank with the network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exchange {
    /// Volume flowing in, m³.
    pub vin: f64,
    /// Mass flowing in (quality × m³).
    pub win: f64,
    /// Inflow minus outflow volume, m³.
    pub vnet: f64,
}

/// The segments a tank starts with: one of its initial volume and quality,
/// or for two compartments a stagnant zone (front) holding what exceeds
/// the mixing zone's capacity `mixing_zone_m3` and the mixing zone (back).
pub fn initial_segments(
    chain: &mut Chain,
    model: MixingModel,
    volume_m3: f64,
    quality: f64,
    mixing_zone_m3: f64,
) {
    chain.clear();
    if model == MixingModel::TwoCompartment {
        let stagnant = (volume_m3 - mixing_zone_m3).max(0.0);
        chain.push_back(Segment {
            volume_m3: stagnant,
            quality,
        });
        chain.push_back(Segment {
            volume_m3: volume_m3 - stagnant,
            quality,
        });
    } else {
        chain.push_back(Segment { volume_m3, quality });
    }
}

/// Mixes one step's exchange into a tank and returns the tank's outflow
/// quality; `None` leaves it unchanged (a tank without segments).
pub fn mix(
    chain: &mut Chain,
    model: MixingModel,
    ex: Exchange,
    tolerance: f64,
    mixing_zone_m3: f64,
) -> Option<f64> {
    match model {
        MixingModel::Mixed => complete_mix(chain, ex),
        MixingModel::TwoCompartment => two_compartments(chain, ex, mixing_zone_m3),
        MixingModel::Fifo => first_in_first_out(chain, ex, tolerance),
        MixingModel::Lifo => last_in_first_out(chain, ex, tolerance),
    }
}

/// Complete and instantaneous mixing: c = (c V + win) / (V + vin).
fn complete_mix(chain: &mut Chain, ex: Exchange) -> Option<f64> {
    let seg = chain.front_mut()?;
    let v_new = seg.volume_m3 + ex.vin;
    if v_new > 0.0 {
        seg.quality = (seg.quality * seg.volume_m3 + ex.win) / v_new;
    }
    seg.volume_m3 = (seg.volume_m3 + ex.vnet).max(0.0);
    Some(seg.quality)
}

/// Two compartments: inflow and outflow pass through a completely mixed
/// zone of fixed capacity; when it is full, the excess spills into (or,
/// when the tank drains, is drawn from) a second, completely mixed
/// stagnant zone.
fn two_compartments(chain: &mut Chain, ex: Exchange, capacity_m3: f64) -> Option<f64> {
    if chain.len() < 2 {
        return None;
    }
    let (mut stagnant, mut mixing) = (chain[0], chain[1]);
    let mut transfer = 0.0;
    if ex.vnet > 0.0 {
        transfer = (mixing.volume_m3 + ex.vnet - capacity_m3).max(0.0);
        if ex.vin > 0.0 {
            mixing.quality =
                (mixing.quality * mixing.volume_m3 + ex.win) / (mixing.volume_m3 + ex.vin);
        }
        if transfer > 0.0 {
            stagnant.quality = (stagnant.quality * stagnant.volume_m3 + mixing.quality * transfer)
                / (stagnant.volume_m3 + transfer);
        }
    } else if ex.vnet < 0.0 {
        if stagnant.volume_m3 > 0.0 {
            transfer = stagnant.volume_m3.min(-ex.vnet);
        }
        if ex.vin + transfer > 0.0 {
            mixing.quality =
                (mixing.quality * mixing.volume_m3 + ex.win + stagnant.quality * transfer)
                    / (mixing.volume_m3 + ex.vin + transfer);
        }
    }
    if transfer > 0.0 {
        mixing.volume_m3 = capacity_m3;
        if ex.vnet > 0.0 {
            stagnant.volume_m3 += transfer;
        } else {
            stagnant.volume_m3 = (stagnant.volume_m3 - transfer).max(0.0);
        }
    } else {
        // NOTE: as in EPANET 2.3, a step without transfer empties the
        // stagnant zone's volume record, even a step with no net flow.
        mixing.volume_m3 = (mixing.volume_m3 + ex.vnet).min(capacity_m3).max(0.0);
        stagnant.volume_m3 = 0.0;
    }
    chain[0] = stagnant;
    chain[1] = mixing;
    Some(mixing.quality)
}

/// Plug flow: water leaves in the order it came in; the outflow quality is
/// that of the water withdrawn from the oldest segments.
fn first_in_first_out(chain: &mut Chain, ex: Exchange, tolerance: f64) -> Option<f64> {
    if chain.is_empty() {
        return None;
    }
    if ex.vin > 0.0 {
        let cin = ex.win / ex.vin;
        match chain.back_mut() {
            Some(last) if (last.quality - cin).abs() < tolerance => last.volume_m3 += ex.vin,
            _ => chain.push_back(Segment {
                volume_m3: ex.vin,
                quality: cin,
            }),
        }
    }
    let mut vout = ex.vin - ex.vnet;
    let (mut vsum, mut wsum) = (0.0, 0.0);
    while vout > 0.0 {
        let only = chain.len() == 1;
        let Some(seg) = chain.front_mut() else {
            break;
        };
        // The last segment left gives all that is asked of it.
        let taken = if only { vout } else { seg.volume_m3.min(vout) };
        vsum += taken;
        wsum += seg.quality * taken;
        vout -= taken;
        if taken >= seg.volume_m3 {
            if !only {
                chain.pop_front();
            }
        } else {
            seg.volume_m3 -= taken;
        }
    }
    Some(if vsum > 0.0 {
        wsum / vsum
    } else {
        chain.front().map_or(0.0, |s| s.quality)
    })
}

/// Stacked plug flow: water leaves from the top of the stack, the newest
/// first; the outflow quality mixes the water withdrawn with any inflow.
fn last_in_first_out(chain: &mut Chain, ex: Exchange, tolerance: f64) -> Option<f64> {
    let top = *chain.back()?;
    let cin = if ex.vin > 0.0 { ex.win / ex.vin } else { 0.0 };
    if ex.vnet > 0.0 {
        if (top.quality - cin).abs() < tolerance {
            if let Some(last) = chain.back_mut() {
                last.volume_m3 += ex.vnet;
            }
        } else {
            chain.push_back(Segment {
                volume_m3: ex.vnet,
                quality: cin,
            });
        }
        return chain.back().map(|s| s.quality);
    }
    if ex.vnet == 0.0 {
        return Some(top.quality);
    }
    let mut left = -ex.vnet;
    let (mut vsum, mut wsum) = (0.0, 0.0);
    while left > 0.0 {
        let only = chain.len() == 1;
        let Some(seg) = chain.back_mut() else {
            break;
        };
        let taken = if only { left } else { seg.volume_m3.min(left) };
        vsum += taken;
        wsum += seg.quality * taken;
        left -= taken;
        if taken >= seg.volume_m3 {
            if !only {
                chain.pop_back();
            }
        } else {
            seg.volume_m3 -= taken;
        }
    }
    Some((wsum + ex.win) / (vsum + ex.vin))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tank(model: MixingModel, volume: f64, quality: f64, zone: f64) -> Chain {
        let mut chain = Chain::new();
        initial_segments(&mut chain, model, volume, quality, zone);
        chain
    }

    #[test]
    fn complete_mix_is_a_volume_weighted_mean() {
        // 100 m³ at 1.0, 50 m³ in at 4.0, 20 m³ out: (100 + 200) / 150 = 2.
        let mut chain = tank(MixingModel::Mixed, 100.0, 1.0, 0.0);
        let ex = Exchange {
            vin: 50.0,
            win: 200.0,
            vnet: 30.0,
        };
        let c = mix(&mut chain, MixingModel::Mixed, ex, 0.01, 0.0).unwrap();
        assert!((c - 2.0).abs() < 1e-12);
        assert_eq!(chain[0].volume_m3, 130.0);
    }

    #[test]
    fn complete_mix_approaches_the_exponential_step_response() {
        // V dC/dt = Q (Cin − C) at constant volume: C = Cin (1 − exp(−Q t / V)).
        let mut chain = tank(MixingModel::Mixed, 100.0, 0.0, 0.0);
        let step_m3 = 0.01;
        let ex = Exchange {
            vin: step_m3,
            win: step_m3 * 1.0,
            vnet: 0.0,
        };
        let mut c = 0.0;
        for _ in 0..10_000 {
            c = mix(&mut chain, MixingModel::Mixed, ex, 0.01, 0.0).unwrap();
        }
        assert!((c - (1.0 - (-1.0f64).exp())).abs() < 1e-4, "{c}");
    }

    #[test]
    fn fifo_releases_the_oldest_water() {
        let mut chain = tank(MixingModel::Fifo, 10.0, 1.0, 0.0);
        let ex = Exchange {
            vin: 5.0,
            win: 5.0 * 3.0,
            vnet: 0.0,
        };
        let c = mix(&mut chain, MixingModel::Fifo, ex, 0.01, 0.0).unwrap();
        assert_eq!(c, 1.0);
        assert_eq!(chain.len(), 2);
        assert_eq!(chain[0].volume_m3, 5.0);
    }

    #[test]
    fn lifo_releases_the_newest_water() {
        let mut chain = tank(MixingModel::Lifo, 10.0, 1.0, 0.0);
        let fill = Exchange {
            vin: 5.0,
            win: 15.0,
            vnet: 5.0,
        };
        assert_eq!(
            mix(&mut chain, MixingModel::Lifo, fill, 0.01, 0.0),
            Some(3.0)
        );
        let drain = Exchange {
            vin: 0.0,
            win: 0.0,
            vnet: -6.0,
        };
        let c = mix(&mut chain, MixingModel::Lifo, drain, 0.01, 0.0).unwrap();
        assert!((c - (15.0 + 1.0) / 6.0).abs() < 1e-12);
        assert_eq!(chain.len(), 1);
        assert_eq!(chain[0].volume_m3, 9.0);
    }

    #[test]
    fn two_compartments_spill_into_the_stagnant_zone() {
        // Mixing zone of 10 m³ full at quality 0; 5 m³ in at 2.0, none out.
        let mut chain = tank(MixingModel::TwoCompartment, 10.0, 0.0, 10.0);
        let ex = Exchange {
            vin: 5.0,
            win: 10.0,
            vnet: 5.0,
        };
        let c = mix(&mut chain, MixingModel::TwoCompartment, ex, 0.01, 10.0).unwrap();
        assert!((c - 10.0 / 15.0).abs() < 1e-12);
        assert_eq!(chain[1].volume_m3, 10.0);
        assert_eq!(chain[0].volume_m3, 5.0);
        assert!((chain[0].quality - 10.0 / 15.0).abs() < 1e-12);
    }
}
