<?php
// The seed's "Updating Accounts" PHP snippet (u'...' dropped, as in seed_create.php).
$credentials = getenv('V2CRM_CREDENTIALS');
$url = getenv('V2CRM_BASE') . '/api/v2/crm/accounts/6';
$data = array("name" => 'My new value for name');
$options = array(
'http' => array(
'method'  => 'PUT',
'content' => json_encode($data),
'header'=>  "Content-Type: application/json\r\n" .
            "Accept: application/json\r\n" .
            "Authorization: Basic " . base64_encode($credentials)
)
);
$context  = stream_context_create($options);
$result = file_get_contents($url, false, $context);
echo $result;
