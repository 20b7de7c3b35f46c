"""Report: tables (tables), figures (figures) and statistics over seeds (stats)."""
