from . import customer_account_review
from . import customer_effort_report
from . import customer_retention_report
