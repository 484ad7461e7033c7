//! EPANET 2.3 `.inp` files: reading them into a [`Network`] in SI units, and writing them back.
//!
//! [`read_file`] and [`read_str`] accept every section of EPANET 2.3 and
//! report every error they find, each with its line, section, token and
//! EPANET error code. [`write_string`] writes a network in its own units so
//! that reading the result gives the same network.
//!
//! ```
//! let text = "[JUNCTIONS]\nJ1 100 10\n[RESERVOIRS]\nR1 150\n\
//!             [PIPES]\nP1 R1 J1 1000 12 100\n[OPTIONS]\nUNITS GPM\n";
//! let outcome = pipenet::inp::read_str(text, "example.inp").unwrap();
//! let pipe = &outcome.network.links[0];
//! assert_eq!(pipe.id, "P1");
//! let written = pipenet::inp::write_string(&outcome.network);
//! assert!(written.contains("[PIPES]"));
//! ```
//!
//! # Limitations
//! - EPANET reads lines in pieces of 1023 characters and keeps 40 tokens a
//!   line; pipenet reads lines whole and warns about long ones.
//! - `[ROUGHNESS]` is ignored (as in EPANET); `HYDRAULICS USE/SAVE` files
//!   are ignored.

mod controls;
mod diagnostic;
mod lexer;
mod links;
mod nodes;
mod reader;
mod settings;
mod tables;
mod times;
mod validate;
mod writer;

use std::path::Path;

use crate::network::Network;

pub use diagnostic::{code, Diagnostic, InpError, Section};
pub use writer::{write_file, write_string};

/// A network read from an `.inp` file, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct ReadOutcome {
    /// The network, in SI units.
    pub network: Network,
    /// Things that did not stop the reading but deserve a look.
    pub warnings: Vec<Diagnostic>,
}

/// Reads an `.inp` file. Its bytes are UTF-8, or Latin-1 if not valid UTF-8.
pub fn read_file(path: impl AsRef<Path>) -> Result<ReadOutcome, InpError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| InpError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path.display().to_string();
    read_str(&lexer::decode(&bytes), &name)
}

/// Reads `.inp` text; `file_name` is used in diagnostics.
pub fn read_str(text: &str, file_name: &str) -> Result<ReadOutcome, InpError> {
    let (network, errors, warnings) = reader::read(text, file_name);
    if errors.is_empty() {
        Ok(ReadOutcome { network, warnings })
    } else {
        Err(InpError::Invalid {
            file: file_name.to_string(),
            errors,
            warnings,
        })
    }
}
