"""Reference lists for the synthetic bank: people's names, places, employers, products.

Chinese names come with a romanization so that generated e-mail addresses look like
the ones Chinese customers actually use (``zhangwei1984@...``). Every list is a tuple
so that the generator can turn it into a NumPy array once and index it vectorized.
"""

from __future__ import annotations

# (surname, pinyin, relative frequency): the most common Chinese surnames, roughly weighted
SURNAMES_ZH: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 7.1), ("李", "li", 7.0), ("张", "zhang", 6.7), ("刘", "liu", 5.4),
    ("陈", "chen", 4.5), ("杨", "yang", 3.1), ("黄", "huang", 2.2), ("赵", "zhao", 2.0),
    ("吴", "wu", 1.8), ("周", "zhou", 1.8), ("徐", "xu", 1.3), ("孙", "sun", 1.2),
    ("马", "ma", 1.1), ("朱", "zhu", 1.1), ("胡", "hu", 1.0), ("郭", "guo", 1.0),
    ("何", "he", 0.9), ("高", "gao", 0.9), ("林", "lin", 0.9), ("罗", "luo", 0.9),
    ("郑", "zheng", 0.8), ("梁", "liang", 0.8), ("谢", "xie", 0.7), ("宋", "song", 0.7),
    ("唐", "tang", 0.6), ("许", "xu", 0.6), ("韩", "han", 0.6), ("冯", "feng", 0.6),
    ("邓", "deng", 0.5), ("曹", "cao", 0.5), ("彭", "peng", 0.5), ("曾", "zeng", 0.5),
    ("肖", "xiao", 0.5), ("田", "tian", 0.5), ("董", "dong", 0.5), ("袁", "yuan", 0.4),
    ("潘", "pan", 0.4), ("于", "yu", 0.4), ("蒋", "jiang", 0.4), ("蔡", "cai", 0.4),
    ("余", "yu", 0.4), ("杜", "du", 0.4), ("叶", "ye", 0.4), ("程", "cheng", 0.4),
    ("苏", "su", 0.4), ("魏", "wei", 0.4), ("吕", "lv", 0.3), ("丁", "ding", 0.3),
    ("任", "ren", 0.3), ("沈", "shen", 0.3), ("姚", "yao", 0.3), ("卢", "lu", 0.3),
    ("姜", "jiang", 0.3), ("崔", "cui", 0.3), ("钟", "zhong", 0.3), ("谭", "tan", 0.3),
    ("陆", "lu", 0.3), ("汪", "wang", 0.3), ("范", "fan", 0.3), ("金", "jin", 0.3),
    ("石", "shi", 0.3), ("廖", "liao", 0.3), ("贾", "jia", 0.2), ("夏", "xia", 0.2),
    ("韦", "wei", 0.2), ("付", "fu", 0.2), ("方", "fang", 0.2), ("白", "bai", 0.2),
    ("邹", "zou", 0.2), ("孟", "meng", 0.2), ("熊", "xiong", 0.2), ("秦", "qin", 0.2),
    ("邱", "qiu", 0.2), ("江", "jiang", 0.2), ("尹", "yin", 0.2), ("薛", "xue", 0.2),
    ("闫", "yan", 0.2), ("段", "duan", 0.2), ("雷", "lei", 0.2), ("侯", "hou", 0.2),
    ("龙", "long", 0.2), ("史", "shi", 0.2), ("陶", "tao", 0.2), ("黎", "li", 0.2),
    ("贺", "he", 0.2), ("顾", "gu", 0.2), ("毛", "mao", 0.2), ("郝", "hao", 0.2),
    ("龚", "gong", 0.1), ("邵", "shao", 0.1), ("万", "wan", 0.1), ("钱", "qian", 0.1),
    ("严", "yan", 0.1), ("武", "wu", 0.1), ("戴", "dai", 0.1), ("孔", "kong", 0.1),
    ("欧阳", "ouyang", 0.05), ("上官", "shangguan", 0.02), ("司马", "sima", 0.02),
)

# characters used in given names, with pinyin
GIVEN_MALE_ZH: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
    ("刚", "gang"), ("平", "ping"), ("辉", "hui"), ("鹏", "peng"), ("华", "hua"),
    ("飞", "fei"), ("鑫", "xin"), ("波", "bo"), ("斌", "bin"), ("宇", "yu"),
    ("浩", "hao"), ("凯", "kai"), ("健", "jian"), ("俊", "jun"), ("帆", "fan"),
    ("旭", "xu"), ("宁", "ning"), ("龙", "long"), ("林", "lin"), ("阳", "yang"),
    ("建", "jian"), ("国", "guo"), ("志", "zhi"), ("文", "wen"), ("博", "bo"),
    ("子", "zi"), ("轩", "xuan"), ("睿", "rui"), ("晨", "chen"), ("泽", "ze"),
    ("峰", "feng"), ("昊", "hao"), ("天", "tian"), ("海", "hai"), ("成", "cheng"),
    ("东", "dong"), ("亮", "liang"), ("毅", "yi"), ("诚", "cheng"), ("嘉", "jia"),
)
GIVEN_FEMALE_ZH: tuple[tuple[str, str], ...] = (
    ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("艳", "yan"), ("娟", "juan"), ("霞", "xia"), ("秀", "xiu"), ("玲", "ling"),
    ("英", "ying"), ("燕", "yan"), ("萍", "ping"), ("红", "hong"), ("梅", "mei"),
    ("琳", "lin"), ("雪", "xue"), ("婷", "ting"), ("慧", "hui"), ("颖", "ying"),
    ("欣", "xin"), ("怡", "yi"), ("佳", "jia"), ("雨", "yu"), ("涵", "han"),
    ("思", "si"), ("琪", "qi"), ("晓", "xiao"), ("倩", "qian"), ("月", "yue"),
    ("悦", "yue"), ("洁", "jie"), ("丹", "dan"), ("蕾", "lei"), ("薇", "wei"),
    ("璐", "lu"), ("诗", "shi"), ("梦", "meng"), ("瑶", "yao"), ("晶", "jing"),
    ("蓉", "rong"), ("莉", "li"), ("春", "chun"), ("兰", "lan"), ("凤", "feng"),
    ("云", "yun"), ("淑", "shu"), ("珍", "zhen"), ("雅", "ya"), ("婉", "wan"),
)

FIRST_MALE_EN: tuple[str, ...] = (
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Paul", "Steven", "Andrew", "Kevin",
    "Brian", "George", "Edward", "Ronald", "Timothy", "Jason", "Jeffrey", "Ryan", "Jacob",
    "Gary", "Nicholas", "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon",
    "Benjamin", "Samuel", "Gregory", "Alexander", "Patrick", "Frank", "Raymond", "Jack",
    "Dennis", "Jerry", "Tyler", "Aaron", "Henry", "Peter",
)
FIRST_FEMALE_EN: tuple[str, ...] = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly",
    "Emily", "Donna", "Michelle", "Carol", "Amanda", "Dorothy", "Melissa", "Deborah",
    "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Kathleen", "Amy", "Angela",
    "Shirley", "Anna", "Brenda", "Pamela", "Emma", "Nicole", "Helen", "Samantha", "Katherine",
    "Christine", "Debra", "Rachel", "Carolyn", "Janet", "Catherine", "Maria", "Heather",
)
LAST_EN: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Chan",
    "Wong", "Cheung", "Lau", "Ho",
)

# (city_zh, city_en, ((district_zh, district_en), ...)): branches are named city + district
CITIES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("上海", "Shanghai", (("静安", "Jing'an"), ("浦东", "Pudong"), ("徐汇", "Xuhui"),
                          ("黄浦", "Huangpu"), ("长宁", "Changning"), ("闵行", "Minhang"))),
    ("北京", "Beijing", (("朝阳", "Chaoyang"), ("海淀", "Haidian"), ("东城", "Dongcheng"),
                         ("西城", "Xicheng"), ("丰台", "Fengtai"))),
    ("深圳", "Shenzhen", (("福田", "Futian"), ("南山", "Nanshan"), ("罗湖", "Luohu"),
                          ("宝安", "Bao'an"))),
    ("广州", "Guangzhou", (("天河", "Tianhe"), ("越秀", "Yuexiu"), ("海珠", "Haizhu"),
                           ("番禺", "Panyu"))),
    ("杭州", "Hangzhou", (("西湖", "Xihu"), ("上城", "Shangcheng"), ("滨江", "Binjiang"))),
    ("南京", "Nanjing", (("鼓楼", "Gulou"), ("玄武", "Xuanwu"), ("建邺", "Jianye"))),
    ("苏州", "Suzhou", (("工业园区", "Industrial Park"), ("姑苏", "Gusu"))),
    ("成都", "Chengdu", (("锦江", "Jinjiang"), ("武侯", "Wuhou"), ("高新", "Gaoxin"))),
    ("武汉", "Wuhan", (("江汉", "Jianghan"), ("武昌", "Wuchang"))),
    ("天津", "Tianjin", (("和平", "Heping"), ("河西", "Hexi"))),
    ("重庆", "Chongqing", (("渝中", "Yuzhong"), ("江北", "Jiangbei"))),
    ("西安", "Xi'an", (("雁塔", "Yanta"), ("碑林", "Beilin"))),
)

ROADS_ZH: tuple[str, ...] = (
    "人民路", "解放路", "中山路", "建设路", "南京路", "长江路", "和平路", "新华路", "文化路",
    "幸福路", "光明路", "胜利路", "学院路", "滨江大道", "世纪大道", "科技路", "友谊路", "青年路",
)
ROADS_EN: tuple[str, ...] = (
    "Renmin Road", "Jiefang Road", "Zhongshan Road", "Jianshe Road", "Nanjing Road",
    "Changjiang Road", "Heping Road", "Xinhua Road", "Century Avenue", "Binjiang Avenue",
    "Keji Road", "Youyi Road", "Qingnian Road", "Xueyuan Road",
)

# occupation codes: (zh, en, salaried?) - "salaried" decides who gets monthly salary credits
OCCUPATIONS: tuple[tuple[str, str, bool], ...] = (
    ("工程师", "Engineer", True), ("教师", "Teacher", True), ("医生", "Doctor", True),
    ("护士", "Nurse", True), ("公务员", "Civil servant", True), ("会计", "Accountant", True),
    ("销售经理", "Sales manager", True), ("程序员", "Software developer", True),
    ("律师", "Lawyer", True), ("金融从业者", "Finance professional", True),
    ("行政人员", "Administrator", True), ("设计师", "Designer", True),
    ("企业主", "Business owner", False), ("个体工商户", "Self-employed trader", False),
    ("自由职业", "Freelancer", False),
)
OCCUPATION_RETIRED: tuple[str, str] = ("退休", "Retired")
OCCUPATION_STUDENT: tuple[str, str] = ("学生", "Student")

EMPLOYER_PREFIX_ZH: tuple[str, ...] = (
    "华信", "中盛", "瑞丰", "恒达", "远航", "新启", "博雅", "安泰", "嘉禾", "润泽", "天成",
    "鼎新", "宏图", "卓越", "明德", "汇通", "金桥", "星海",
)
EMPLOYER_SUFFIX_ZH: tuple[str, ...] = (
    "科技有限公司", "贸易有限公司", "实业集团", "医院", "中学", "制造有限公司",
    "咨询有限公司", "物流有限公司", "信息技术有限公司", "建设集团",
)
EMPLOYER_PREFIX_EN: tuple[str, ...] = (
    "Huaxin", "Zhongsheng", "Ruifeng", "Hengda", "Yuanhang", "Xinqi", "Boya", "Antai",
    "Jiahe", "Runze", "Tiancheng", "Dingxin", "Hongtu", "Mingde", "Huitong", "Jinqiao",
)
EMPLOYER_SUFFIX_EN: tuple[str, ...] = (
    "Technology Co., Ltd.", "Trading Co., Ltd.", "Industrial Group", "Hospital",
    "Middle School", "Manufacturing Co., Ltd.", "Consulting Co., Ltd.", "Logistics Co., Ltd.",
    "Information Technology Co., Ltd.", "Construction Group",
)

# other banks money moves to and from
OTHER_BANKS_ZH: tuple[str, ...] = (
    "招商银行", "工商银行", "建设银行", "农业银行", "中国银行", "交通银行", "平安银行",
    "浦发银行", "兴业银行", "中信银行", "民生银行", "网商银行", "微众银行",
)
OTHER_BANKS_EN: tuple[str, ...] = (
    "China Merchants Bank", "ICBC", "China Construction Bank", "Agricultural Bank of China",
    "Bank of China", "Bank of Communications", "Ping An Bank", "SPD Bank", "Industrial Bank",
    "China CITIC Bank", "China Minsheng Bank", "MYbank", "WeBank",
)

# product names by kind: (zh, en)
PRODUCT_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "current": (("个人活期储蓄账户", "Personal current account"),),
    "savings": (("活期储蓄存折", "Passbook savings"), ("零存整取储蓄", "Regular savings plan"),
                ("通知存款", "Notice deposit")),
    "wealth": (("稳健理财·季季盈", "Steady Wealth Quarterly"),
               ("安心理财·半年享", "Secure Wealth Half-year"),
               ("添利理财·270天", "Plus Wealth 270 days"),
               ("年年丰理财", "Annual Harvest Wealth")),
    "fund": (("货币市场基金A", "Money Market Fund A"), ("稳健债券基金", "Steady Bond Fund"),
             ("沪深300指数基金", "CSI 300 Index Fund"), ("均衡混合基金", "Balanced Hybrid Fund"),
             ("科技成长股票基金", "Tech Growth Equity Fund"),
             ("消费精选混合基金", "Consumer Select Hybrid Fund")),
    "insurance": (("分红型年金保险", "Participating Annuity"), ("终身寿险", "Whole Life Insurance"),
                  ("两全保险", "Endowment Insurance")),
    "loan": (("个人住房贷款", "Residential mortgage"), ("个人消费贷款", "Personal consumer loan"),
             ("个人经营贷款", "Personal business loan")),
    "credit_card": (("标准信用卡", "Classic credit card"), ("金卡信用卡", "Gold credit card"),
                    ("白金信用卡", "Platinum credit card")),
}
# time deposits are named after their term
TIME_DEPOSIT_TERMS: tuple[tuple[int, str, str, float], ...] = (
    # (term days, zh, en, base annual rate %)
    (91, "整存整取定期存款（3个月）", "Time deposit (3 months)", 1.20),
    (182, "整存整取定期存款（6个月）", "Time deposit (6 months)", 1.40),
    (365, "整存整取定期存款（1年）", "Time deposit (1 year)", 1.65),
    (730, "整存整取定期存款（2年）", "Time deposit (2 years)", 1.95),
    (1095, "整存整取定期存款（3年）", "Time deposit (3 years)", 2.35),
)
# wealth products: term days and an indicative annual yield % (performance benchmark)
WEALTH_TERMS_DAYS: tuple[int, ...] = (91, 182, 270, 365)
WEALTH_YIELD_PCT: tuple[float, ...] = (2.10, 2.45, 2.80, 3.20)
# daily volatility of each fund's net asset value, same order as PRODUCT_NAMES["fund"]
FUND_DAILY_VOLATILITY: tuple[float, ...] = (0.00005, 0.0008, 0.012, 0.008, 0.016, 0.011)

# 2-digit province codes used to build plausible 6-digit PRC region codes
PROVINCE_CODES: tuple[int, ...] = (
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
    41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 61, 62, 63, 64, 65,
)
MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
)
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.cn", "example.net", "mail.example")
