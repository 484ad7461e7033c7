//! Hydraulic solution of a network: the global gradient algorithm and its parts.

pub mod matrix;
