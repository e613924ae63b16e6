//! Values from schemas: valid ones (examples, enums, formats, bounds) and hostile ones.
