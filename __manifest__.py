{
    "name": "Customer Relationship",
    "version": "19.0.1.0.0",
    "summary": "Customer value tiers, RFM and lifecycle, visits, relationship levels "
    "and scheduled care actions for sales teams",
    "category": "Sales",
    "license": "LGPL-3",
    "author": "Customer Relationship Developers",
    "website": "https://github.com/customer-relationship/customer_relationship",
    "depends": ["sale_management", "contacts", "mail", "calendar"],
    "data": [
        "security/customer_relationship_security.xml",
        "security/ir.model.access.csv",
        "data/customer_tier_data.xml",
        "data/ir_cron_data.xml",
        "views/customer_tier_views.xml",
        "views/customer_tier_history_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/customer_tier_recompute_views.xml",
        "views/customer_relationship_menus.xml",
    ],
    "demo": [
        "demo/customer_relationship_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "customer_relationship/static/tests/tours/**/*",
        ],
    },
    "application": True,
}
