# The customer pool (README, "Customer pool"). The record rule of "own customers" on accounts is
# noupdate data: it now reads own accounts and the accounts of the user's pools, and writes own
# accounts only (a second rule, new, is created by the data file). Runs after post-owner.py.

OWN_READ = (
    "['|', ('user_id', '=', user.id), ('customer_pool_id', 'any', "
    "['|', ('member_user_ids', '=', False), ('member_user_ids', 'in', user.id)])]"
)


def migrate(cr, version):
    cr.execute(
        """UPDATE ir_rule
              SET domain_force = %s, perm_read = TRUE, perm_write = FALSE, perm_create = FALSE, perm_unlink = FALSE,
                  name = 'Customer account: own customers and their pools'' customers (read)'
            WHERE id = (SELECT res_id FROM ir_model_data
                         WHERE module = 'customer_relationship' AND name = 'customer_account_own_rule')""",
        [OWN_READ],
    )
    # The salesperson of an existing account has held it since the account was opened, as far as
    # the pool's delays are concerned.
    cr.execute(
        "UPDATE customer_account SET owner_date = create_date::date WHERE user_id IS NOT NULL AND owner_date IS NULL"
    )
