from . import customer_care_rule_preview
from . import customer_care_rule_preview_line
from . import customer_tier_recompute
from . import customer_tier_recompute_line
from . import customer_visit_log
from . import customer_visit_log_line
from . import customer_visit_plan
from . import customer_visit_plan_line
