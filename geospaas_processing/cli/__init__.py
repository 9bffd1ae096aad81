"""Command-line front doors: parse arguments, call the library, render results."""
