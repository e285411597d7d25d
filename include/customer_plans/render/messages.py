"""The words on a plan, in English and Chinese: one small catalogue, looked up by key.

Tier labels come from the rules file (they are configuration); everything else a
manager reads that is not data lives here. ``translate`` fails loudly on an unknown
key so a typo in a template is caught by the tests, not shown to a manager.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    # document
    "plan.title": {"en": "Customer plan", "zh": "客户维护计划"},
    "plan.document_title": {
        "en": "Customer plan for {plan_date}: {manager_name}",
        "zh": "客户维护计划 {plan_date} · {manager_name}",
    },
    "plan.for": {"en": "Plan for {date}", "zh": "计划日期 {date}"},
    "plan.data_as_of": {"en": "Data as of {date}", "zh": "数据截至 {date}"},
    "plan.rules": {"en": "Rules {version}", "zh": "规则版本 {version}"},
    "plan.confidential": {
        "en": "Confidential: for {manager_name} only. Do not forward.",
        "zh": "内部资料，仅限 {manager_name} 本人使用，请勿转发。",
    },
    "plan.footer_note": {
        "en": "Phone numbers are masked; look customers up in the CRM by customer number.",
        "zh": "手机号已脱敏；请凭客户号在客户管理系统中查询完整信息。",
    },
    "plan.nothing_today": {
        "en": "Nothing planned today",
        "zh": "今天没有安排联络",
    },
    "plan.nothing_today_detail": {
        "en": "No customer in your book needs a contact today. A good day to update "
        "customer profiles and follow up on open opportunities.",
        "zh": "今天您的客户中没有需要联络的客户。可以利用今天完善客户资料、跟进在途商机。",
    },
    "plan.pool_name": {"en": "Branch pool", "zh": "网点公共池"},
    # data quality
    "quality.label": {"en": "Data quality:", "zh": "数据质量："},
    "quality.passed": {"en": "passed", "zh": "通过"},
    "quality.warning": {"en": "passed with warnings", "zh": "通过（有提示）"},
    "quality.failed": {"en": "failed", "zh": "未通过"},
    "quality.unknown": {"en": "not reported", "zh": "未提供"},
    # a warning rule without its own entry below: identifiers as they are, words translated
    "quality.warning_rows": {
        "en": "{where}: {rows} row(s) failed the check {rule}",
        "zh": "{where}：{rows} 行未通过检查（{rule}）"},
    "quality.warning_check": {
        "en": "{where}: the check {rule} failed",
        "zh": "{where}：未通过检查（{rule}）"},
    # a warning that came as bare text (no table, column, rule): its words cannot be translated
    "quality.warning_text_only": {
        "en": "A data-quality warning: ask the operations team for details",
        "zh": "有一条数据质量提示，详情请咨询运维人员"},
    # data-quality warnings by table.column.rule (quality.suites: every warning and quarantine
    # rule has one; tests/test_render_quality.py checks it), {rows} = how many rows
    "quality_warning.customers.manager_id.not_null": {
        "en": "Customers without a manager: {rows} (assigned to the branch pool)",
        "zh": "{rows} 位客户无客户经理：已分配至网点公共池"},
    "quality_warning.customers.birth_date.birth_date_plausible": {
        "en": "Customers with an impossible birth date: {rows} (quarantined, not in the plans)",
        "zh": "{rows} 位客户出生日期异常，已隔离，不列入计划"},
    "quality_warning.managers.email.not_null": {
        "en": "Managers without an email: {rows} (their plans cannot be sent)",
        "zh": "{rows} 位客户经理无邮箱：计划无法发送"},
    "quality_warning.managers.email.email_format": {
        "en": "Managers whose email is not a valid address: {rows} (their plans are not sent "
        "to it but to the branch head)",
        "zh": "{rows} 位客户经理的邮箱格式有误：计划不发送至该地址，改发网点负责人"},
    "quality_warning.managers.email.email_domain": {
        "en": "Managers whose email is outside the bank's mail domains: {rows} (their plans "
        "are not sent to it but to the branch head)",
        "zh": "{rows} 位客户经理的邮箱不在本行邮件域内：计划不发送至该地址，改发网点负责人"},
    "quality_warning.managers.backup_manager_id.references_managers": {
        "en": "Managers whose backup manager is not on the roster: {rows} (no cover when away)",
        "zh": "{rows} 位客户经理的备岗经理不在名册中：不在岗时无人代为维护"},
    "quality_warning.customers.gender.accepted_values": {
        "en": "Customers with an unrecognised gender code: {rows}",
        "zh": "{rows} 位客户的性别代码无法识别"},
    "quality_warning.customers.risk_profile.accepted_values": {
        "en": "Customers with an unrecognised risk profile: {rows} (check it before "
        "recommending products)",
        "zh": "{rows} 位客户的风险等级无法识别：推荐产品前请先核实"},
    "quality_warning.customers.annual_income_cny.not_negative": {
        "en": "Customers with a negative annual income on record: {rows}",
        "zh": "{rows} 位客户登记的年收入为负数"},
    "quality_warning.restricted_list.customer_id.references_customers": {
        "en": "Restricted-list entries for customers missing from today's customer data: {rows}",
        "zh": "限制类客户名单中有 {rows} 条记录的客户不在当日客户数据中"},
    "quality_warning.accounts.balance_cny.balance_present": {
        "en": "Open accounts without a balance on the business date: {rows} (counted as 0)",
        "zh": "{rows} 个未销户账户当日无余额，按 0 计算"},
    "quality_warning.transaction_summary.customer_id.references_customers": {
        "en": "Customers with transactions but missing from today's customer data: {rows}",
        "zh": "{rows} 位有交易记录的客户不在当日客户数据中"},
    "quality_warning.contact_summary.customer_id.references_customers": {
        "en": "Customers with contact history but missing from today's customer data: {rows}",
        "zh": "{rows} 位有联络记录的客户不在当日客户数据中"},
    "quality_warning.recent_contacts.outcome.accepted_values": {
        "en": "Recent contacts with an unrecognised outcome: {rows} (not counted as completed)",
        "zh": "{rows} 条近期联络记录的结果无法识别，不计为已完成"},
    "quality_warning.recent_contacts.customer_id.references_customers": {
        "en": "Recent contacts of customers missing from today's customer data: {rows}",
        "zh": "{rows} 条近期联络记录的客户不在当日客户数据中"},
    "quality_warning.recent_contacts.manager_id.references_managers": {
        "en": "Recent contacts by managers not on the roster: {rows}",
        "zh": "{rows} 条近期联络记录的客户经理不在名册中"},
    "quality_warning.complaints.customer_id.references_customers": {
        "en": "Complaints of customers missing from today's customer data: {rows}",
        "zh": "{rows} 条投诉记录的客户不在当日客户数据中"},
    "quality_warning.branches.head_email.not_null": {
        "en": "Branches without a head email: {rows} (their roll-ups are not emailed)",
        "zh": "{rows} 个网点负责人无邮箱：网点概览无法发送"},
    "quality_warning.branches.head_email.email_format": {
        "en": "Branches whose head email is not a valid address: {rows} (their roll-ups are "
        "not emailed)",
        "zh": "{rows} 个网点负责人的邮箱格式有误：网点概览不发送至该地址"},
    "quality_warning.branches.head_email.email_domain": {
        "en": "Branches whose head email is outside the bank's mail domains: {rows} (their "
        "roll-ups are not emailed)",
        "zh": "{rows} 个网点负责人的邮箱不在本行邮件域内：网点概览不发送至该地址"},
    "quality_warning.branches.locale.accepted_values": {
        "en": "Branches whose head's language is not recognised: {rows} (their roll-ups are "
        "in English)",
        "zh": "{rows} 个网点负责人的语言代码无法识别：网点概览以英文发送"},
    # the same rules on the plan of the manager whose own record failed them, addressed to the
    # reader (render.quality_audience: every MANAGER rule has one; tests check it)
    "quality_own.managers.email.not_null": {
        "en": "Your email address is missing from the roster: plans cannot be emailed to you "
        "(ask for it to be added)",
        "zh": "名册中缺少您的邮箱：计划无法通过邮件发送给您（请联系补录）"},
    "quality_own.managers.email.email_format": {
        "en": "Your email address on the roster is not a valid address: your plans go to your "
        "branch head instead",
        "zh": "名册中您的邮箱格式有误：计划改发网点负责人"},
    "quality_own.managers.email.email_domain": {
        "en": "Your email address on the roster is outside the bank's mail domains: your plans "
        "go to your branch head instead",
        "zh": "名册中您的邮箱不在本行邮件域内：计划改发网点负责人"},
    "quality_own.managers.backup_manager_id.references_managers": {
        "en": "Your backup manager is not on the roster: nobody covers your customers while "
        "you are away",
        "zh": "您的备岗经理不在名册中：您不在岗时无人代为维护您的客户"},
    # summary
    "summary.title": {"en": "Today at a glance", "zh": "今日概览"},
    "summary.contacts": {"en": "Contacts today", "zh": "今日联络"},
    "summary.urgent": {"en": "Urgent", "zh": "紧急"},
    "summary.completion": {"en": "Done yesterday", "zh": "昨日完成率"},
    "summary.completion_detail": {
        "en": "{completed} of {planned} planned contacts",
        "zh": "计划 {planned} 位，完成 {completed} 位",
    },
    "summary.deferred": {"en": "Deferred", "zh": "顺延"},
    "summary.by_level": {"en": "By priority", "zh": "按优先级"},
    "summary.by_channel": {"en": "By channel", "zh": "按渠道"},
    "summary.covered_books": {"en": "Covering for", "zh": "代为维护"},
    "summary.covered_count": {"en": "{name}: {count}", "zh": "{name}：{count} 位"},
    "summary.book": {"en": "Your book", "zh": "名下客户"},
    "summary.customers": {"en": "{count} customers", "zh": "{count} 位客户"},
    # priority levels
    "level.1": {"en": "Urgent", "zh": "紧急"},
    "level.2": {"en": "Important", "zh": "重要"},
    "level.3": {"en": "Routine", "zh": "常规"},
    # lists
    "list.title": {"en": "Whom to contact today", "zh": "今日联络名单"},
    "list.intro": {
        "en": "In priority order: urgent items first, then by value, urgency and risk.",
        "zh": "按优先级排列：紧急事项在前，其次按客户价值、紧迫程度与风险排序。",
    },
    "list.why": {"en": "Why now", "zh": "联络原因"},
    "list.say": {"en": "Talking points", "zh": "建议话术"},
    "list.facts": {"en": "Key facts", "zh": "关键信息"},
    "list.channel": {"en": "How", "zh": "方式"},
    "list.customer_no": {"en": "Customer no.", "zh": "客户号"},
    "list.pool": {"en": "branch pool", "zh": "网点公共池"},
    "covered.title": {"en": "Covering for colleagues", "zh": "代为维护的客户"},
    "covered.intro": {
        "en": "Customers of colleagues who are away today; you are their backup.",
        "zh": "以下客户的客户经理今日不在岗，由您作为备岗经理联络。",
    },
    "covered.for": {"en": "Covering for {name}", "zh": "代 {name} 维护"},
    # contacts taken over from the branch pool (plan_contacts.assignment 'pool_takeover')
    "takeover.title": {"en": "Taken over from the branch pool", "zh": "从网点公共池接手的客户"},
    "takeover.intro": {
        "en": "Customers with no manager at work today, given to you from the branch pool. "
        "They rank with your own contacts by priority, within your daily capacity.",
        "zh": "以下客户今日无在岗客户经理，由网点公共池转由您联络，"
        "在您的当日联络量内与名下客户按优先级统一排序。",
    },
    "takeover.from.manager_left": {
        "en": "Customers of {name}, who has left", "zh": "已离职的 {name} 的客户",
    },
    "takeover.from.manager_away": {
        "en": "Customers of {name}, away with no backup at work",
        "zh": "{name} 的客户（不在岗，备岗亦不在岗）",
    },
    "takeover.from.unknown_manager": {
        "en": "Customers of {name}, not on the roster", "zh": "{name} 的客户（不在客户经理名册）",
    },
    "takeover.from.no_manager": {"en": "Customers without a manager", "zh": "无客户经理的客户"},
    "takeover.how.backup": {
        "en": "You are their manager's recorded backup.", "zh": "您是其客户经理登记的备岗经理。",
    },
    "takeover.how.least_loaded": {
        "en": "Given to you as the least loaded manager of the branch.",
        "zh": "按网点内联络负荷最低分配给您。",
    },
    "summary.taken_over": {"en": "From the branch pool", "zh": "公共池接手"},
    "summary.taken_over_count": {"en": "{count}", "zh": "{count} 位"},
    # why a customer is on the pool, and what happened (plan_contacts.assignment_reason)
    "pool.why.no_manager": {"en": "no manager", "zh": "无客户经理"},
    "pool.why.unknown_manager": {
        "en": "manager {name} not on the roster", "zh": "客户经理 {name} 不在名册",
    },
    "pool.why.manager_left": {"en": "{name} has left", "zh": "{name} 已离职"},
    "pool.why.manager_away": {
        "en": "{name} away, no backup at work", "zh": "{name} 不在岗且备岗不在岗",
    },
    "pool.how.backup": {"en": "taken over by {name} (backup)", "zh": "由备岗经理 {name} 接手"},
    "pool.how.least_loaded": {
        "en": "taken over by {name} (least loaded)", "zh": "由联络负荷最低的 {name} 接手",
    },
    "pool.how.no_capacity": {
        "en": "left on the pool list: no capacity left in the branch",
        "zh": "留在公共池：网点客户经理今日联络量已满",
    },
    "pool.how.no_active_manager": {
        "en": "left on the pool list: no manager of the branch at work",
        "zh": "留在公共池：网点今日无在岗客户经理",
    },
    "pool.note": {"en": "{why}; {how}", "zh": "{why}；{how}"},
    "deferred.title": {"en": "Deferred to a later day", "zh": "顺延至后续日期"},
    "deferred.intro": {
        "en": "Worth a contact, but today's capacity is used up. They come back on the next "
        "working day.",
        "zh": "这些客户值得联络，但今日联络量已满，将在下一个工作日重新安排。",
    },
    "deferred.reason": {"en": "Main reason", "zh": "主要原因"},
    # facts
    "fact.aum": {"en": "AUM", "zh": "资产"},
    "fact.trend_90d": {"en": "{pct} in 90 days", "zh": "近90天 {pct}"},
    "fact.maturing": {"en": "Maturing", "zh": "到期"},
    "fact.maturing_value": {"en": "{amount} on {date}", "zh": "{amount}，{date}"},
    "fact.last_contact": {"en": "Last reached", "zh": "上次联络"},
    "fact.never": {"en": "none in 90 days", "zh": "近90天无"},
    "fact.phone": {"en": "Mobile", "zh": "手机"},
    "fact.churn": {"en": "Churn risk", "zh": "流失风险"},
    "churn.low": {"en": "low", "zh": "低"},
    "churn.medium": {"en": "medium", "zh": "中"},
    "churn.high": {"en": "high", "zh": "高"},
    # reason facts worth printing next to a reason's text (plan_contacts.reasons[].facts keys);
    # facts without an entry here (codes such as tier_code, lists such as signals) are not shown
    "factkey.account_id": {"en": "account", "zh": "账户"},
    "factkey.amount_cny": {"en": "amount", "zh": "金额"},
    "factkey.principal_cny": {"en": "principal", "zh": "本金"},
    "factkey.current_balance_cny": {"en": "current account", "zh": "活期余额"},
    "factkey.transfer_out_other_bank_90d_cny": {"en": "moved out in 90 days", "zh": "90天转出"},
    "factkey.maturity_date": {"en": "matures", "zh": "到期日"},
    "factkey.days_to_maturity": {"en": "days to maturity", "zh": "距到期天数"},
    "factkey.rate_pct": {"en": "rate %", "zh": "利率%"},
    "factkey.aum_trend_90d_pct": {"en": "90-day change", "zh": "近90天变化"},
    "factkey.churn_score": {"en": "risk score", "zh": "风险分"},
    "factkey.days_since_contact": {"en": "days since reached", "zh": "距上次联络天数"},
    "factkey.days_since_reached": {"en": "days since reached", "zh": "距上次联络天数"},
    "factkey.cadence_days": {"en": "cadence (days)", "zh": "维护周期（天）"},
    "factkey.complaint_id": {"en": "complaint", "zh": "投诉编号"},
    "factkey.opened_date": {"en": "opened", "zh": "投诉日期"},
    "factkey.birth_date": {"en": "birthday", "zh": "生日"},
    "factkey.first_planned_date": {"en": "first planned", "zh": "首次计划"},
    # charts
    "chart.book_title": {"en": "Your book by tier and lifecycle", "zh": "名下客户：分层与生命周期"},
    "chart.aum_13w": {"en": "AUM, last 13 weeks", "zh": "近13周资产"},
    "chart.empty_book": {"en": "No customers in your book.", "zh": "名下暂无客户。"},
    # lifecycle stages
    "lifecycle.potential": {"en": "Potential", "zh": "潜在客户"},
    "lifecycle.new": {"en": "New", "zh": "新客户"},
    "lifecycle.growing": {"en": "Growing", "zh": "成长期"},
    "lifecycle.stable": {"en": "Stable", "zh": "稳定期"},
    "lifecycle.declining": {"en": "Declining", "zh": "衰退期"},
    "lifecycle.dormant": {"en": "Dormant", "zh": "休眠"},
    "lifecycle.lost": {"en": "Lost", "zh": "流失"},
    # channels
    "channel.visit": {"en": "Visit", "zh": "面访"},
    "channel.phone": {"en": "Phone", "zh": "电话"},
    "channel.sms": {"en": "SMS", "zh": "短信"},
    "channel.wechat": {"en": "WeChat", "zh": "微信"},
    "channel.email": {"en": "Email", "zh": "邮件"},
    "channel.app": {"en": "App message", "zh": "App消息"},
    "channel.message": {"en": "Message", "zh": "消息"},
    "channel.event": {"en": "Event invitation", "zh": "活动邀约"},
    # plan_contacts.channel 'none': no channel the customer can be reached on (assign.channels)
    "channel.none": {"en": "No contact details", "zh": "无联系方式"},
    "list.no_contact_details": {
        "en": "No contact details: no phone number, email or other channel on record to "
        "reach this customer. Find and update the details (CRM, branch counter), then contact.",
        "zh": "无联系方式：系统中没有可用于联络该客户的手机号、邮箱或其他渠道。"
        "请先查找并补录联系方式（客户管理系统、网点柜面），再行联络。",
    },
    # manager status (roll-up)
    "status.active": {"en": "active", "zh": "在岗"},
    "status.on_leave": {"en": "on leave", "zh": "休假"},
    "status.left": {"en": "left", "zh": "已离职"},
    "status.pool": {"en": "customers without an active manager", "zh": "无在岗客户经理的客户"},
    # branch roll-up
    "rollup.title": {"en": "Branch coverage", "zh": "网点客户维护概览"},
    "rollup.document_title": {
        "en": "Branch coverage for {plan_date}: {branch_name}",
        "zh": "网点客户维护概览 {plan_date} · {branch_name}",
    },
    "rollup.confidential": {
        "en": "Confidential: for the branch management only. Do not forward.",
        "zh": "内部资料，仅限网点管理人员使用，请勿转发。",
    },
    "rollup.managers": {"en": "Managers", "zh": "客户经理"},
    "rollup.managers_detail": {
        "en": "{active} active, {away} away",
        "zh": "在岗 {active} 位，不在岗 {away} 位",
    },
    "rollup.planned": {"en": "Contacts today", "zh": "今日联络"},
    "rollup.top_tier": {"en": "Top-tier customers", "zh": "高端客户"},
    "rollup.top_tier_detail": {
        "en": "{planned} of {total} in today's plans",
        "zh": "{total} 位中 {planned} 位列入今日计划",
    },
    "rollup.at_risk": {"en": "High churn risk", "zh": "高流失风险"},
    "rollup.at_risk_detail": {
        "en": "{planned} of {total} in today's plans",
        "zh": "{total} 位中 {planned} 位列入今日计划",
    },
    "rollup.by_manager": {"en": "By manager", "zh": "按客户经理"},
    "rollup.col.manager": {"en": "Manager", "zh": "客户经理"},
    "rollup.col.status": {"en": "Status", "zh": "状态"},
    "rollup.col.book": {"en": "Book", "zh": "名下客户"},
    "rollup.col.planned": {"en": "Today", "zh": "今日"},
    "rollup.by_manager_intro": {
        "en": "Today: contacts planned, with urgent / important / routine below.",
        "zh": "今日：计划联络人数，下方为紧急/重要/常规的分布。",
    },
    "rollup.col.calls": {"en": "Calls / capacity", "zh": "电话/上限"},
    "rollup.col.visits": {"en": "Visits / capacity", "zh": "面访/上限"},
    "rollup.col.covered": {"en": "Covering", "zh": "代维护"},
    "rollup.col.deferred": {"en": "Deferred", "zh": "顺延"},
    "rollup.col.completion": {"en": "Done yesterday", "zh": "昨日完成率"},
    "rollup.covered_by": {"en": "covered by {name}", "zh": "由 {name} 代维护"},
    "rollup.taken_over": {"en": "{count} from the pool", "zh": "接手公共池 {count} 位"},
    "rollup.pool_title": {
        "en": "Branch pool: customers without a manager at work",
        "zh": "网点公共池：无在岗客户经理的客户",
    },
    "rollup.pool_intro": {
        "en": "{total} customers on the branch pool today: {taken} taken over by managers of "
        "the branch ({backup} by their manager's backup), {left} left on the pool list "
        "({urgent} urgent). Most urgent first.",
        "zh": "今日网点公共池客户 {total} 位：{taken} 位由本网点客户经理接手（其中 {backup} "
        "位由备岗经理接手），{left} 位留在公共池（其中紧急 {urgent} 位）。按紧急程度排列。",
    },
    "rollup.col.pool_why": {"en": "Why on the pool", "zh": "进入公共池原因"},
    "rollup.col.priority": {"en": "Priority", "zh": "优先级"},
    "rollup.col.reason": {"en": "Why now", "zh": "联络原因"},
    "rollup.col.outcome": {"en": "Outcome", "zh": "处理结果"},
    "rollup.pool_taken_by": {"en": "taken over by {name}", "zh": "由 {name} 接手"},
    "rollup.pool_left": {"en": "left on the pool list", "zh": "留在公共池"},
    "rollup.over_capacity": {"en": "over capacity", "zh": "超出上限"},
    "rollup.at_risk_list": {
        "en": "High churn risk customers not in today's plans",
        "zh": "未列入今日计划的高流失风险客户",
    },
    "rollup.at_risk_list_more": {
        "en": "Showing {shown} of {total}, highest risk first.",
        "zh": "按风险从高到低显示 {total} 位中的 {shown} 位。",
    },
    "rollup.at_risk_none": {
        "en": "Every high churn risk customer is in today's plans.",
        "zh": "所有高流失风险客户均已列入今日计划。",
    },
    "rollup.col.customer": {"en": "Customer", "zh": "客户"},
    "rollup.col.tier": {"en": "Tier", "zh": "层级"},
    "rollup.col.churn_score": {"en": "Risk score", "zh": "风险分"},
    "rollup.col.why_not": {"en": "Why not today", "zh": "未列入原因"},
    # contact cadence kept per tier (each tier's cadence_days is a service promise)
    "rollup.cadence_title": {"en": "Contact cadence kept, by tier", "zh": "各层级按周期联络情况"},
    "rollup.cadence_intro": {
        "en": "Of the branch's customers (closed relationships left out), those their manager "
              "reached within their tier's cadence: the last reached contact at most that many "
              "days before {date}.",
        "zh": "本网点客户（不含已流失客户）中，在所属层级联络周期内被客户经理成功联络的客户："
              "最近一次成功联络距 {date} 不超过周期天数。",
    },
    "rollup.col.cadence": {"en": "Cadence", "zh": "联络周期"},
    "rollup.cadence_days": {"en": "{days} days", "zh": "{days} 天"},
    "rollup.col.customers": {"en": "Customers", "zh": "客户数"},
    "rollup.col.within_cadence": {"en": "Reached within it", "zh": "周期内已联络"},
    "rollup.col.cadence_kept": {"en": "Kept", "zh": "达成率"},
    "rollup.cadence_partial": {
        "en": "≥: the cadence is longer than the {days} days of contact history the plans read; "
              "earlier contacts are not counted, so the share is at least this.",
        "zh": "≥：联络周期长于计划读取的 {days} 天联络记录，更早的联络未计入，实际比例不低于此数。",
    },
    "rollup.exclusions": {"en": "Not contacted today, by reason", "zh": "今日不联络的原因"},
    "rollup.no_exclusions": {"en": "None.", "zh": "无。"},
    "rollup.contact_gaps": {"en": "No contact details", "zh": "无联系方式"},
    "rollup.contact_gaps_detail": {
        "en": "{count} customers on today's lists have no usable contact details (no phone "
        "number or email on record): a data gap to fix",
        "zh": "今日名单中有 {count} 位客户无可用联系方式（未登记手机号或邮箱），请补录",
    },
    "rollup.book_title": {
        "en": "Branch book by tier and lifecycle", "zh": "网点客户：分层与生命周期",
    },
    # exclusion reasons (plan_exclusions.reason_code)
    "exclusion.restricted": {"en": "restricted list", "zh": "限制类客户名单"},
    "exclusion.do_not_contact": {"en": "asked not to be contacted", "zh": "客户拒绝联络"},
    "exclusion.no_marketing_consent": {"en": "no marketing consent", "zh": "未授权营销"},
    "exclusion.closed": {"en": "relationship closed", "zh": "已销户"},
    "exclusion.recently_contacted": {"en": "contacted recently", "zh": "近期已联络"},
    "exclusion.capacity": {"en": "over daily capacity", "zh": "超出当日联络量"},
    "exclusion.open_complaint": {
        "en": "open complaint (service recovery instead of sales)",
        "zh": "有未结投诉（以服务补救代替营销）",
    },
    "exclusion.quarantined": {
        "en": "data held back by validation",
        "zh": "数据未通过校验，暂不使用",
    },
    "exclusion.none": {"en": "no reason to contact today", "zh": "今日无联络事由"},
}


def language_of(locale: str | None) -> str:
    """``'zh_CN'`` -> ``'zh'``; anything not Chinese reads English."""
    return "zh" if str(locale or "").lower().startswith("zh") else "en"


def translate(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    try:
        text = MESSAGES[key][lang]
    except KeyError:
        raise KeyError(f"message catalogue has no {lang!r} text for key {key!r}") from None
    return text.format(**values) if values else text


def translate_or(key: str, lang: str, fallback: str) -> str:
    """The text for ``key`` when the catalogue has it, else ``fallback`` (for data codes)."""
    entry = MESSAGES.get(key)
    return entry[lang] if entry else fallback
