import { registry } from "@web/core/registry";

/**
 * Every tile of the dashboard opens a list with as many rows as the tile counts, under a title
 * that says what it is and with the tile's filters as facets the user can see (and remove).
 */
const TILES = [
    { tile: ".o_dashboard_tier:first", title: "customers", facet: "Tier" },
    { tile: ".o_dashboard_overdue_visits", title: "Overdue visits", facet: "Overdue" },
    { tile: ".o_dashboard_overdue_contacts", title: "Customers due for contact", facet: "Due for Contact" },
    { tile: ".o_dashboard_care_due", title: "Care actions due this week", facet: "Due This Week" },
    { tile: ".o_dashboard_relationship_gap", title: "Relationships below target", facet: "Relationship Below Target" },
];

function tileSteps({ tile, title, facet }, mine) {
    let counted = null;
    return [
        {
            content: "Back to the dashboard",
            trigger: ".o_main_navbar [data-menu-xmlid='customer_relationship.customer_relationship_dashboard_menu']",
            run: "click",
        },
        {
            content: `Read the tile ${tile} and open it`,
            trigger: `.o_customer_relationship_dashboard ${tile} .fs-3`,
            run(helpers) {
                counted = parseInt(this.anchor.textContent.replace(/\D/g, ""), 10);
                if (!counted) {
                    throw new Error(`The tile ${tile} counts nothing: the test data must give it rows`);
                }
                helpers.click(this.anchor);
            },
        },
        {
            content: "The list says what it shows",
            trigger: `.o_breadcrumb .active:contains(${title})`,
        },
        {
            content: "The tile's filter is a visible facet",
            trigger: `.o_searchview_facet:contains(${facet})`,
        },
        ...(mine
            ? [{ content: "A salesperson's list keeps to their own records", trigger: ".o_searchview_facet:contains(My)" }]
            : [{ content: "A manager's list is not narrowed to their own records", trigger: ".o_searchview:not(:has(.o_searchview_facet:contains(My )))" }]),
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The list is shown",
            trigger: ".o_list_renderer .o_data_row",
        },
        {
            content: "The list counts what the tile counted",
            trigger: ".o_control_panel .o_pager_limit",
            run() {
                const listed = parseInt(this.anchor.textContent.replace(/\D/g, ""), 10);
                if (listed !== counted) {
                    throw new Error(`${tile}: the tile counts ${counted}, its list shows ${listed}`);
                }
            },
        },
    ];
}

for (const [name, mine] of [
    ["customer_dashboard_tiles_manager_tour", false],
    ["customer_dashboard_tiles_salesperson_tour", true],
]) {
    registry.category("web_tour.tours").add(name, {
        url: "/odoo/action-customer_relationship.customer_relationship_dashboard_action",
        steps: () => TILES.flatMap((tile) => tileSteps(tile, mine)),
    });
}
