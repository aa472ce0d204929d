<?php
// The seed's "Creating Accounts" PHP snippet. The seed writes u'My account', a Python-ism that is a
// PHP syntax error; it is the only change besides URL and credentials.
$credentials = getenv('V2CRM_CREDENTIALS');
$url = getenv('V2CRM_BASE') . '/api/v2/crm/accounts';
$data = array("is_customer" => True, "name" => 'My account', "company_id" => 1);
$options = array(
'http' => array(
'method'  => 'POST',
'content' => json_encode($data),
'header'=>  "Content-Type: application/json\r\n" .
            "Accept: application/json\r\n" .
            "Authorization: Basic " . base64_encode($credentials)
)
);
$context  = stream_context_create($options);
$result = file_get_contents($url, false, $context);
echo $result;
