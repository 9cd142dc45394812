from . import customer_tier_recompute
from . import customer_tier_recompute_line
