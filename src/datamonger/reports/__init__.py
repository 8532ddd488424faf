"""The shared reports layer: what every export (CSV, Excel) needs whatever it exports."""
