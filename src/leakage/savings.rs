//! Leakage and energy change between two runs (FAVAD).
