<?php
// The seed's "Getting more than one Account" PHP snippet.
$credentials = getenv('V2CRM_CREDENTIALS');
$url = getenv('V2CRM_BASE') . '/api/v2/crm/accounts';
$options = array(
  'http' => array(
    'method'  => 'GET',
    'header'=>  "Accept: application/json\r\n" .
                "Authorization: Basic " . base64_encode($credentials)
    )
);
$context  = stream_context_create($options);
$result = file_get_contents($url, false, $context);
echo $result;
