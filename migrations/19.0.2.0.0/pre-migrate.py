"""19.0.2.0.0, before the new models load: the company-dependent jsonb columns of res_partner
that customer.account replaces are renamed ``<column>_v1``. Left under their names, Odoo would
find them jsonb and still company-dependent in the database, and patch the new non-stored
fields back into company-dependent ones reading the old columns. post-migrate.py moves their
values into the accounts; the renamed columns stay, unread, for one release."""

from odoo.tools import SQL

OLD_COLUMNS = (
    "customer_tier_id",
    "customer_value",
    "customer_value_rank",
    "customer_value_share",
    "customer_margin_rate",
    "customer_margin_known",
    "first_order_date",
    "last_order_date",
    "customer_order_count",
    "average_order_interval",
    "expected_next_order_date",
    "customer_lifecycle",
    "rfm_recency_score",
    "rfm_frequency_score",
    "rfm_monetary_score",
    "rfm_segment",
    "customer_tier_locked",
    "customer_tier_lock_reason",
    "loss_reason_id",
    "loss_date",
    "loss_note",
    "lost_value",
)


def migrate(cr, version):
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'res_partner' AND data_type = 'jsonb' AND column_name = ANY(%s)""",
        [list(OLD_COLUMNS)],
    )
    for (column,) in cr.fetchall():
        cr.execute(
            SQL(
                "ALTER TABLE res_partner RENAME COLUMN %s TO %s", SQL.identifier(column), SQL.identifier(f"{column}_v1")
            )
        )
    cr.execute(
        """UPDATE ir_model_fields SET company_dependent = FALSE
            WHERE model = 'res.partner' AND name = ANY(%s)""",
        [list(OLD_COLUMNS)],
    )
