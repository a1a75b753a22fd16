//! Desktop shell (filled in by the desktop app work).
