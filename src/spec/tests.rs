//! Unit tests of the loader on small inline descriptions.
