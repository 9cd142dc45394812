import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { menuSteps } from "./tour_menus";

registry.category("web_tour.tours").add("customer_visit_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "Open the Customer Relationship app"
        ),
        ...menuSteps("customer_relationship_menu_customers", "res_partner_customer_menu"),
        {
            // The app opens on My Day, which has a search box too: wait for the customers' kanban.
            content: "The customers kanban is shown, grouped by tier",
            trigger: ".o_kanban_view .o_kanban_group",
        },
        {
            content: "Search the tour customer",
            trigger: ".o_searchview_input",
            run: "edit Tour Visit Co",
        },
        {
            trigger: ".o_searchview_autocomplete .o-dropdown-item:first",
            run: "click",
        },
        {
            content: "Log a visit from the customer's card",
            trigger: ".o_kanban_record:contains(Tour Visit Co) button[name=action_log_visit]",
            run: "click",
        },
        {
            content: "People Met offers the customer's contacts",
            trigger: ".modal .o_field_widget[name=contact_ids] input",
            run: "click",
        },
        {
            content: "... and not the company itself",
            trigger:
                ".o-autocomplete--dropdown-menu:has(a:contains(Ms Tour Buyer))" +
                ":not(:has(.o-autocomplete--dropdown-item:contains(Tour Visit Co):not(:contains(Ms Tour Buyer))))",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu a:contains(Ms Tour Buyer)",
            run: "click",
        },
        {
            content: "Log without notes",
            trigger: ".modal .modal-footer button[name=action_log]",
            run: "click",
        },
        {
            content:
                "The dialog stays open and names the empty notes: their label and field turn red",
            trigger: ".modal .o_form_label.o_field_invalid:contains(Notes)",
        },
        {
            trigger: ".modal .o_field_widget[name=notes].o_field_invalid",
        },
        {
            content: "The notification names the field to fill",
            trigger: ".o_notification:contains(Missing required fields):contains(Notes)",
        },
        {
            content: "Write the visit notes",
            trigger: ".modal .o_field_widget[name=notes] .odoo-editor-editable",
            run: "editor The buyer asked for our new price list.",
        },
        {
            content: "Add a follow-up",
            trigger: ".modal .o_field_widget[name=followup_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Name the problem to handle",
            trigger: ".modal .o_field_widget[name=followup_ids] .o_data_row [name=summary] input",
            run: "edit Send the price list",
        },
        {
            content: "Log the visit",
            trigger: ".modal .modal-footer button[name=action_log]",
            run: "click",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal))",
        },
        ...menuSteps("customer_relationship_menu_visits", "customer_visit_menu"),
        {
            // Else the switch below may hit the customers view still on screen.
            content: "The Visits menu opens on the planned visits",
            trigger: ".o_searchview_facet:contains(Planned)",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            trigger: ".o_list_view",
        },
        {
            content:
                "The Visits menu lists the planned visits: remove that filter to see the done ones",
            trigger: ".o_searchview_facet:contains(Planned) .o_facet_remove",
            run: "click",
        },
        {
            trigger: ".o_searchview:not(:has(.o_searchview_facet:contains(Planned)))",
        },
        {
            content: "Search the customer among the visits",
            trigger: ".o_searchview_input",
            run: "edit Tour Visit Co",
        },
        {
            trigger: ".o_searchview_autocomplete .o-dropdown-item:first",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains(Tour Visit Co)",
        },
        {
            content: "The logged visit is listed as done",
            trigger: ".o_list_view .o_data_row:contains(Tour Visit Co):contains(Done)",
        },
        {
            content: "Switch to the activities",
            trigger: ".o_switch_view.o_activity",
            run: "click",
        },
        {
            content: "The follow-up is an activity of the visit",
            trigger:
                ".o_activity_view tr:contains(Tour Visit Co) .o_activity_summary_cell:not(:empty)",
        },
    ],
});
