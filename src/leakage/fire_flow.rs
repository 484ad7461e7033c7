//! Fire flow: the largest flow a hydrant delivers above a residual pressure.
