# The record rule of "own customers" on the tier history is noupdate data: from 19.0.4 it also
# reads the tier changes of the customers in the user's pools, whose accounts they read already.

OWN_DOMAIN = (
    "['|', ('customer_account_user_id', '=', user.id), ('partner_id.customer_account_ids', 'any', "
    "[('customer_pool_id', 'any', ['|', ('member_user_ids', '=', False), ('member_user_ids', 'in', user.id)])])]"
)


def migrate(cr, version):
    cr.execute(
        """UPDATE ir_rule
              SET domain_force = %s, name = 'Customer tier history: own customers and their pools'' customers'
            WHERE id = (SELECT res_id FROM ir_model_data
                         WHERE module = 'customer_relationship' AND name = 'customer_tier_history_own_rule')""",
        [OWN_DOMAIN],
    )
