"""19.0.2.0.0: the per-company figures move from res.partner's company-dependent jsonb columns
to customer.account, one row per commercial partner and company (README, "Design").

The relationship level was one value for all companies: every account of the customer gets it,
and a customer with a level above Basic but no figures anywhere gets an account in its own
company (or the first one). The old columns, renamed ``<column>_v1`` by pre-migrate.py, are
left in place, unread, for one release.
"""

from odoo.tools import SQL

# account column -> (old res_partner column, SQL type of its values)
MOVED = {
    "tier_id": ("customer_tier_id", "int"),
    "value": ("customer_value", "numeric"),
    "value_rank": ("customer_value_rank", "int"),
    "value_share": ("customer_value_share", "numeric"),
    "margin_rate": ("customer_margin_rate", "numeric"),
    "margin_known": ("customer_margin_known", "boolean"),
    "first_order_date": ("first_order_date", "date"),
    "last_order_date": ("last_order_date", "date"),
    "order_count": ("customer_order_count", "int"),
    "average_order_interval": ("average_order_interval", "numeric"),
    "expected_next_order_date": ("expected_next_order_date", "date"),
    "lifecycle": ("customer_lifecycle", "varchar"),
    "recency_score": ("rfm_recency_score", "int"),
    "frequency_score": ("rfm_frequency_score", "int"),
    "monetary_score": ("rfm_monetary_score", "int"),
    "rfm_segment": ("rfm_segment", "varchar"),
    "tier_locked": ("customer_tier_locked", "boolean"),
    "tier_lock_reason": ("customer_tier_lock_reason", "varchar"),
    "loss_reason_id": ("loss_reason_id", "int"),
    "loss_date": ("loss_date", "date"),
    "loss_note": ("loss_note", "text"),
    "lost_value": ("lost_value", "numeric"),
}


def migrate(cr, version):
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'res_partner' AND data_type = 'jsonb' AND column_name = ANY(%s)""",
        [[f"{old}_v1" for old, _type in MOVED.values()]],
    )
    present = {row[0] for row in cr.fetchall()}
    moved = {column: (f"{old}_v1", sql_type) for column, (old, sql_type) in MOVED.items() if f"{old}_v1" in present}
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'res_partner' AND column_name = %s",
        ["relationship_level"],
    )
    level = SQL("COALESCE(p.relationship_level, 'basic')") if cr.fetchone() else SQL("'basic'")
    keys = (
        SQL(" UNION ").join(
            SQL("SELECT jsonb_object_keys(COALESCE(p.%s, '{}'::jsonb))", SQL.identifier(old))
            for old, _type in moved.values()
        )
        if moved
        else SQL("SELECT NULL::text WHERE FALSE")
    )
    columns = SQL(", ").join(SQL.identifier(column) for column in moved)
    values = SQL(", ").join(
        SQL("(p.%s ->> k.key)::%s", SQL.identifier(old), SQL(sql_type)) for old, sql_type in moved.values()
    )
    cr.execute(
        SQL(
            """INSERT INTO customer_account (partner_id, company_id, relationship_level, %(columns)s,
                                             create_uid, write_uid, create_date, write_date)
               SELECT p.id, company.id, %(level)s, %(values)s,
                      1, 1, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                 FROM res_partner p
           CROSS JOIN LATERAL (%(keys)s) AS k(key)
                 JOIN res_company company ON company.id::text = k.key
                WHERE p.id = p.commercial_partner_id
          ON CONFLICT (partner_id, company_id) DO NOTHING""",
            columns=columns,
            level=level,
            values=values,
            keys=keys,
        )
    )
    if level.code != "'basic'":
        cr.execute(
            """INSERT INTO customer_account (partner_id, company_id, relationship_level,
                                             create_uid, write_uid, create_date, write_date)
               SELECT p.id, COALESCE(p.company_id, (SELECT MIN(id) FROM res_company)),
                      p.relationship_level, 1, 1, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                 FROM res_partner p
                WHERE p.id = p.commercial_partner_id AND p.relationship_level <> 'basic'
                  AND NOT EXISTS (SELECT 1 FROM customer_account a WHERE a.partner_id = p.id)
          ON CONFLICT (partner_id, company_id) DO NOTHING"""
        )
    # The accounts were all written at once: statistics for the planner before the first views.
    cr.execute("ANALYZE customer_account")
