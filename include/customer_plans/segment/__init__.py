"""Customer segmentation: what each customer is today, and why.

Pure pandas/numpy on the staging extracts, one row per customer per business date in the
plans DB ``segments`` table. ``segment_customers`` is the pure computation;
``run_segmentation`` is the stage (staging Parquet in, ``segments`` rows out).
"""

from customer_plans.segment.core import SEGMENT_COLUMNS, segment_customers
from customer_plans.segment.inputs import SegmentationError
from customer_plans.segment.run import run_segmentation

__all__ = ["SEGMENT_COLUMNS", "SegmentationError", "run_segmentation", "segment_customers"]
