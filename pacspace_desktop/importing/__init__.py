"""Reading CSV/TSV/XLSX files, mapping their columns to write items, and checking every cell."""
