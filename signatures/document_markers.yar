/*
  Document markers that say a file is confidential or is a customer list.
  Rules see text as UTF-8 (dlp transcodes GB18030/UTF-16 input first), one chunk at a time.
  A matching rule gives one finding per file, detector "yara:<rule name>".
*/

rule dlp_marker_confidential
{
    meta:
        id = "DLP-SIG-0001"
        description = "Confidentiality marking (绝密/机密/秘密/内部资料/严禁外传/Confidential)"
        severity = "medium"
        reference = "GB/T 7156; common document classification stamps"
        date = "2026-11-22"
    strings:
        $zh1 = "绝密"
        $zh2 = "机密文件"
        $zh3 = "商业秘密"
        $zh4 = "内部资料"
        $zh5 = "严禁外传"
        $zh6 = "禁止外传"
        $zh7 = "仅限内部"
        $en1 = "strictly confidential" nocase
        $en2 = "internal use only" nocase
    condition:
        any of them
}

rule dlp_marker_customer_list
{
    meta:
        id = "DLP-SIG-0002"
        description = "Heading or column names of a customer list (客户名单/客户信息表/客户资料)"
        severity = "medium"
        reference = "customer lists are protected as trade secrets (反不正当竞争法 第九条)"
        date = "2026-11-22"
    strings:
        $h1 = "客户名单"
        $h2 = "客户信息表"
        $h3 = "客户资料"
        $h4 = "客户明细"
        $h5 = "会员名单"
        $h6 = "customer list" nocase
    condition:
        any of them
}
