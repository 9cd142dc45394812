# The salesperson of a customer account becomes explicit: an account that followed its customer's
# salesperson (user_id empty, 19.0.2) now holds that salesperson; empty means nobody, as a
# customer in a pool. Whom each account belongs to does not change.


def migrate(cr, version):
    cr.execute(
        """UPDATE customer_account AS account
              SET user_id = partner.user_id
             FROM res_partner AS partner
            WHERE partner.id = account.partner_id
              AND account.user_id IS NULL
              AND partner.user_id IS NOT NULL"""
    )
    # The record rule of "own customers" is noupdate data: it reads the explicit salesperson now.
    cr.execute(
        """UPDATE ir_rule SET domain_force = %s
            WHERE id = (SELECT res_id FROM ir_model_data
                         WHERE module = 'customer_relationship' AND name = 'customer_account_own_rule')""",
        ["[('user_id', '=', user.id)]"],
    )
