import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { menuSteps } from "./tour_menus";

/**
 * The manager creates a birthday care rule, previews it and runs it at once.
 * Started by tests/test_ui.py, which creates "Care Tour Trading" and its contact
 * "Care Tour Buyer", whose birthday is three days ahead.
 */
registry.category("web_tour.tours").add("customer_care_rule_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "Open the Customer Relationship app"
        ),
        ...menuSteps("customer_relationship_menu_config", "customer_care_rule_menu"),
        {
            content: "Create a care rule",
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            content: "Name the rule",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Tour birthday call",
        },
        {
            content: "Open the triggers",
            trigger: ".o_form_view .o_field_widget[name=trigger] input",
            run: "click",
        },
        {
            content: "Greet contacts on their birthday",
            trigger: ".o_select_menu_menu .o_select_menu_item:contains(Contact Birthday)",
            run: "click",
        },
        {
            content: "Create the actions a week ahead",
            trigger: ".o_form_view .o_field_widget[name=lead_days] input",
            run: "edit 7",
        },
        {
            content: "Due three days before the birthday",
            trigger: ".o_form_view .o_field_widget[name=days_offset] input",
            run: "edit -3 && click .o_form_view .o_field_widget[name=lead_days] input",
        },
        {
            content: "The offset is said in words",
            trigger:
                ".o_form_view .o_field_widget[name=days_offset_label]:contains(3 days before the event)",
        },
        {
            content: "Due on the birthday itself",
            trigger: ".o_form_view .o_field_widget[name=days_offset] input",
            run: "edit 0 && click .o_form_view .o_field_widget[name=lead_days] input",
        },
        {
            content: "The offset is said in words",
            trigger:
                ".o_form_view .o_field_widget[name=days_offset_label]:contains(On the day of the event)",
        },
        {
            content: "The rule schedules an activity (the default)",
            trigger: ".o_form_view .o_field_widget[name=activity_type_id] input",
        },
        ...stepUtils.saveForm(),
        {
            content: "Preview the rule",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_preview]",
            run: "click",
        },
        {
            content: "The preview lists the contact whose birthday is coming",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains(Care Tour Buyer)",
        },
        {
            content: "Close the preview",
            trigger: ".modal .modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "The preview is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Run the rule now",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_run_now]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal:contains(send its due e-mails) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The action is created",
            trigger: ".o_notification:contains(Care actions created: 1)",
        },
        {
            content: "The rule counts its care action",
            trigger:
                ".o_form_view .oe_stat_button[name=action_view_actions] .o_stat_value:contains(1)",
        },
    ],
});

/**
 * The customer's salesperson finds the care action and its activity on the customer.
 */
registry.category("web_tour.tours").add("customer_care_salesman_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "Open the Customer Relationship app"
        ),
        ...menuSteps("customer_relationship_menu_care", "customer_care_action_menu"),
        {
            // The due date's cell opens the care action (the customer's link would open the customer).
            content: "My scheduled care actions list the birthday call",
            trigger:
                ".o_list_view .o_data_row:contains(Care Tour Trading):contains(Tour birthday call) .o_data_cell[name=due_date]",
            run: "click",
        },
        {
            content: "Open the customer",
            trigger:
                ".o_form_view .o_field_widget[name=partner_id] a.o_form_uri:contains(Care Tour Trading)",
            run: "click",
        },
        {
            content: "The birthday call is scheduled in the customer's chatter",
            trigger:
                ".o-mail-Chatter .o-mail-Activity:contains(Tour birthday call: Care Tour Buyer)",
        },
    ],
});
