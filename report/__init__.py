from . import customer_account_review
