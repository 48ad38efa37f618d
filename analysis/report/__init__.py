"""Stage 4: what a reader sees: one builder per chapter (``chapters``), and the tables, charts, exhibits,
formatting, downloads and pages they are shown with.
"""
