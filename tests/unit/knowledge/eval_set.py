"""A small bilingual evaluation set for knowledge search: 24 articles (12 Chinese, 12 English)
about a CRM with connected devices and its service, and 52 customer questions (26 each), each
with the article that answers it. Questions are worded as customers write them: other words
than the title, typos of case and punctuation, filler ("hi", "请问").
"""

from __future__ import annotations

ARTICLES: dict[str, dict[str, str]] = {
    "en-password": {
        "language": "en",
        "title": "Reset your account password",
        "tags": "login account",
        "body": "If you forgot your password, open the sign-in page and choose 'Forgot password'. "
        "Enter the email address of your account and we send a reset link. The link expires "
        "after 30 minutes; if the email does not arrive, check your spam folder. After three "
        "wrong attempts the account is locked for 15 minutes.",
    },
    "en-export": {
        "language": "en",
        "title": "Export your customer list to Excel or CSV",
        "tags": "customers export",
        "body": "Open Customers, filter the list if needed and click Export. Choose Excel (.xlsx) "
        "or CSV. Large exports of more than 50,000 customers are prepared in the background and "
        "a download link is emailed to you. Only admins and managers can export.",
    },
    "en-invoice": {
        "language": "en",
        "title": "Download invoices and receipts",
        "tags": "billing invoice",
        "body": "Every invoice is listed under Settings > Billing > Invoices. Click an invoice to "
        "download it as PDF. Receipts for card payments are attached to the invoice. Invoices "
        "are issued on the first day of each month.",
    },
    "en-payment": {
        "language": "en",
        "title": "Change the payment method or billing address",
        "tags": "billing card",
        "body": "Go to Settings > Billing and choose Payment method to replace the credit card "
        "on file, or switch to bank transfer. The billing address and VAT number printed on "
        "future invoices are edited on the same page.",
    },
    "en-offline": {
        "language": "en",
        "title": "A device shows offline in the dashboard",
        "tags": "device network",
        "body": "A device appears offline when it has not reported for 10 minutes. Check that it "
        "has power and that the status LED blinks green. Make sure the gateway is connected to "
        "the internet and the Wi-Fi password has not changed. Restart the device by holding the "
        "button for 5 seconds.",
    },
    "en-firmware": {
        "language": "en",
        "title": "Update the device firmware",
        "tags": "device firmware",
        "body": "New firmware versions are installed over the air at night. To update now, open "
        "the device page and click Update firmware. Keep the device powered during the upgrade; "
        "it restarts when done. The current version is shown under Device details.",
    },
    "en-battery": {
        "language": "en",
        "title": "The sensor battery drains quickly",
        "tags": "device battery",
        "body": "A sensor's battery normally lasts 12 months. It drains faster when the reporting "
        "interval is short or the signal is weak, because the radio retries. Set the interval "
        "to 5 minutes or more and move the gateway closer. Replace batteries with CR2477 cells.",
    },
    "en-invite": {
        "language": "en",
        "title": "Invite a colleague and assign a role",
        "tags": "users roles",
        "body": "Admins invite new users under Settings > Users > Invite. Enter the colleague's "
        "email and pick a role: sales rep, sales manager, service agent or viewer. The invitation "
        "is valid for 7 days. Seats are billed per active user.",
    },
    "en-2fa": {
        "language": "en",
        "title": "Turn on two-factor authentication",
        "tags": "security login",
        "body": "Protect your account with a second step at sign-in. Open Profile > Security, "
        "enable two-factor authentication and scan the QR code with an authenticator app. Keep "
        "the backup codes somewhere safe in case you lose your phone.",
    },
    "en-refund": {
        "language": "en",
        "title": "Request a refund or cancel your subscription",
        "tags": "billing subscription",
        "body": "You can cancel your subscription at any time under Settings > Billing > Plan. "
        "Annual plans cancelled within 30 days are refunded in full; after that the plan runs "
        "until the end of the paid term. Refunds reach your card within 5-10 working days.",
    },
    "en-import": {
        "language": "en",
        "title": "Import contacts from a spreadsheet",
        "tags": "contacts import",
        "body": "Upload an .xlsx or .csv file under Customers > Import. Map each column to a field "
        "(name, phone, email, company). Rows whose phone or email already exists are merged "
        "into the existing customer instead of creating duplicates.",
    },
    "en-alarms": {
        "language": "en",
        "title": "What the device alarm fault codes mean",
        "tags": "device alarm",
        "body": "E101: temperature above the limit. E204: door open for longer than allowed. "
        "E305: sensor tampered or removed. E410: power failure, running on backup battery. "
        "Each alarm opens a service ticket for the device's owner automatically.",
    },
    "zh-password": {
        "language": "zh",
        "title": "忘记登录密码怎么办",
        "tags": "账号 登录",
        "body": "在登录页点击“忘记密码”，输入注册时使用的手机号，获取短信验证码后即可设置新密码。"
        "验证码5分钟内有效。连续输错密码5次账号将被锁定30分钟。",
    },
    "zh-invoice": {
        "language": "zh",
        "title": "如何申请开具增值税发票",
        "tags": "发票 财务",
        "body": "付款完成后，在“设置-账单-发票”中点击申请开票，填写公司抬头、税号和邮寄地址。"
        "电子普通发票1个工作日内发送到邮箱，增值税专用发票7个工作日内快递寄出。",
    },
    "zh-offline": {
        "language": "zh",
        "title": "设备显示离线的排查步骤",
        "tags": "设备 网络",
        "body": "设备超过10分钟未上报数据即显示离线。请检查设备电源是否正常、指示灯是否绿色闪烁；"
        "确认网关已联网、无线网络密码未修改；长按设备按键5秒重启设备。",
    },
    "zh-firmware": {
        "language": "zh",
        "title": "设备固件升级方法",
        "tags": "设备 固件",
        "body": "新版本固件会在夜间自动远程升级。如需立即升级，请在设备详情页点击“升级固件”。"
        "升级过程中请保持设备通电，完成后设备会自动重启。",
    },
    "zh-export": {
        "language": "zh",
        "title": "导出客户数据到Excel表格",
        "tags": "客户 导出",
        "body": "进入“客户”列表，按需筛选后点击“导出”，可选择Excel或CSV格式。"
        "超过5万条客户数据将在后台生成，完成后下载链接发送到您的邮箱。仅管理员和经理可以导出。",
    },
    "zh-refund": {
        "language": "zh",
        "title": "申请退款和取消订阅",
        "tags": "退款 订阅",
        "body": "您可以随时在“设置-账单-套餐”中取消订阅。年付套餐30天内取消可全额退款，"
        "超过30天则服务持续到已付费周期结束。退款将在5-10个工作日内原路退回。",
    },
    "zh-wechat": {
        "language": "zh",
        "title": "绑定微信公众号接收通知",
        "tags": "微信 通知",
        "body": "关注我们的微信公众号，在菜单中点击“账号绑定”，输入手机号和验证码完成绑定。"
        "绑定后工单进度、设备报警和账单提醒都会通过公众号推送给您。",
    },
    "zh-subaccount": {
        "language": "zh",
        "title": "添加子账号并设置权限",
        "tags": "账号 权限",
        "body": "管理员可在“设置-用户”中添加子账号，填写同事的手机号或邮箱，并选择角色："
        "销售、销售经理、客服或只读。每个启用的子账号按席位计费。",
    },
    "zh-printer": {
        "language": "zh",
        "title": "小票打印机无法打印",
        "tags": "打印机 硬件",
        "body": "请确认打印机已通电且纸张安装正确，热敏纸光面朝外。检查打印机与收银终端的蓝牙"
        "或USB连接，在终端“设置-打印机”中重新搜索并连接设备，然后打印测试页。",
    },
    "zh-alarms": {
        "language": "zh",
        "title": "设备报警故障代码说明",
        "tags": "设备 报警",
        "body": "E101：温度超过上限。E204：门开启时间过长。E305：传感器被拆除或破坏。"
        "E410：市电断电，正在使用备用电池。每次报警都会自动为设备所属客户创建服务工单。",
    },
    "zh-renewal": {
        "language": "zh",
        "title": "服务合同到期如何续费",
        "tags": "合同 续费",
        "body": "合同到期前30天系统会发送续费提醒，您的客户经理也会联系您。"
        "可以在“合同”页面点击续约在线签署，或联系客户经理线下办理。",
    },
    "zh-install": {
        "language": "zh",
        "title": "预约上门安装服务",
        "tags": "安装 预约",
        "body": "设备到货后，可在小程序“服务-预约安装”中选择上门日期和时间段，"
        "工程师会提前一天电话确认。安装服务在工作日和周六提供。",
    },
}

# (question, expected article, language)
QUESTIONS: list[tuple[str, str, str]] = [
    ("I forgot my password and can't log in", "en-password", "en"),
    ("The password reset email never arrived", "en-password", "en"),
    ("How can I download all my customers as a CSV file?", "en-export", "en"),
    ("export clients to excel", "en-export", "en"),
    ("Where do I find last month's invoice PDF?", "en-invoice", "en"),
    ("I need a receipt for my card payment", "en-invoice", "en"),
    ("How do I update the credit card you charge?", "en-payment", "en"),
    ("Our billing address and VAT number changed", "en-payment", "en"),
    ("My device is offline since this morning", "en-offline", "en"),
    ("Gateway changed wifi, now devices are not reporting", "en-offline", "en"),
    ("How to upgrade firmware on my device?", "en-firmware", "en"),
    ("Which firmware version is my device running?", "en-firmware", "en"),
    ("Sensor batteries die after two months", "en-battery", "en"),
    ("Which battery type do the sensors use?", "en-battery", "en"),
    ("How do I add a new user for my colleague?", "en-invite", "en"),
    ("The invitation link for a new team member expired", "en-invite", "en"),
    ("Can I enable 2-step verification with an authenticator app?", "en-2fa", "en"),
    ("I lost my phone with the authenticator, where are backup codes?", "en-2fa", "en"),
    ("I want my money back for the annual plan", "en-refund", "en"),
    ("How do I cancel my subscription?", "en-refund", "en"),
    ("Upload contacts from an xlsx file", "en-import", "en"),
    ("Will importing a spreadsheet create duplicate customers?", "en-import", "en"),
    ("What does alarm code E204 mean?", "en-alarms", "en"),
    ("Device reports fault E410 power failure", "en-alarms", "en"),
    ("My account got locked", "en-password", "en"),
    ("Why is my bill higher this month?", "en-invite", "en"),
    ("请问忘记密码了怎么登录", "zh-password", "zh"),
    ("账号被锁定了，密码输错好几次", "zh-password", "zh"),
    ("怎么开增值税专用发票", "zh-invoice", "zh"),
    ("电子发票什么时候发到邮箱", "zh-invoice", "zh"),
    ("设备一直显示离线", "zh-offline", "zh"),
    ("改了无线网络密码后设备连不上了", "zh-offline", "zh"),
    ("固件怎么升级", "zh-firmware", "zh"),
    ("升级过程中设备可以断电吗", "zh-firmware", "zh"),
    ("客户数据能导出成Excel吗", "zh-export", "zh"),
    ("导出的下载链接在哪里", "zh-export", "zh"),
    ("年付套餐可以退款吗", "zh-refund", "zh"),
    ("我想取消订阅", "zh-refund", "zh"),
    ("怎么绑定微信公众号", "zh-wechat", "zh"),
    ("微信收不到设备报警通知", "zh-wechat", "zh"),
    ("如何给同事开一个子账号", "zh-subaccount", "zh"),
    ("子账号的权限怎么设置", "zh-subaccount", "zh"),
    ("小票打印机打不出来", "zh-printer", "zh"),
    ("收银终端连接不上打印机", "zh-printer", "zh"),
    ("报警代码E305是什么意思", "zh-alarms", "zh"),
    ("设备报故障E101温度过高", "zh-alarms", "zh"),
    ("合同快到期了怎么续约", "zh-renewal", "zh"),
    ("服务合同续费找谁办理", "zh-renewal", "zh"),
    ("能预约工程师上门安装吗", "zh-install", "zh"),
    ("周末可以安装设备吗", "zh-install", "zh"),
    ("屏幕上出现E410", "zh-alarms", "zh"),
    ("热敏纸装反了打印空白", "zh-printer", "zh"),
]
