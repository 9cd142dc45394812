import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// The demo salesperson, in Chinese: the app opens on My Day; they pick the care actions and do one.
registry.category("web_tour.tours").add("customer_my_day_zh_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "打开客户关系应用"
        ),
        {
            content: "应用打开“我的一天”，按原因筛选的侧栏带计数",
            trigger: ".o_breadcrumb:contains(我的一天)",
        },
        {
            content: "两个关怀行动待办",
            trigger:
                ".o_search_panel_filter_value:contains(关怀行动) .o_search_panel_counter:contains(/^2$/)",
        },
        {
            content: "只看关怀行动",
            trigger: ".o_search_panel_filter_value:contains(关怀行动) input",
            run: "click",
        },
        {
            content: "第一行是价值最高的客户的关怀行动",
            trigger: ".o_data_row:first .o_data_cell:contains(关怀行动)",
        },
        {
            content: "完成它",
            trigger: ".o_data_row:first button[name=action_care_done]:contains(标记完成)",
            run: "click",
        },
        {
            content: "完成的关怀行动离开列表",
            trigger:
                ".o_list_table tbody:not(:has(.o_data_row + .o_data_row)) .o_data_row:contains(关怀行动)",
        },
        {
            content: "计数随之更新",
            trigger:
                ".o_search_panel_filter_value:contains(关怀行动) .o_search_panel_counter:contains(/^1$/)",
        },
        {
            content: "改看待联系的客户",
            trigger: ".o_search_panel_filter_value:contains(关怀行动) input",
            run: "click",
        },
        {
            trigger: ".o_search_panel_filter_value:contains(待联系) input",
            run: "click",
        },
        {
            content: "为第一个待联系的客户计划拜访",
            trigger: ".o_data_row:first .o_data_cell:contains(待联系)",
        },
        {
            trigger: ".o_data_row:first button[name=action_plan_visit]",
            run: "click",
        },
        {
            content: "新拜访的表单打开，客户已填好",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value(/.+/)",
        },
    ],
});

// The manager opens the Customer Relationship dashboard in the Dashboards app: every chart is drawn.
registry.category("web_tour.tours").add("customer_spreadsheet_dashboard_tour", {
    url: "/odoo/dashboards",
    steps: () => [
        {
            content: "The dashboard is in the Sales group",
            trigger: ".o_search_panel_section:contains(Sales) li:contains(Customer Relationship)",
            run: "click",
        },
        {
            // The dashboard draws the charts in view; the Python test checks every chart's data.
            content: "The charts are drawn",
            trigger: ".o_spreadsheet_dashboard_action .o-figure:eq(1) canvas",
        },
    ],
});
