<?php
// The same nightly ERP sync as erp_sync.py, written the way PHP partner jobs did it: php-curl,
// id__gt/_order/_limit paging, create, update, delete, page again. Prints a JSON summary.
$base = getenv('V2CRM_BASE') . '/api/v2/crm/accounts';
$credentials = getenv('V2CRM_CREDENTIALS');
$pageSize = isset($argv[1]) ? (int)$argv[1] : 100;
$newCount = isset($argv[2]) ? (int)$argv[2] : 10;

function call($method, $url, $data = null) {
    global $credentials;
    $ch = curl_init($url);
    curl_setopt($ch, CURLOPT_CUSTOMREQUEST, $method);
    curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
    curl_setopt($ch, CURLOPT_USERPWD, $credentials);
    curl_setopt($ch, CURLOPT_HTTPHEADER, array('Accept: application/json', 'Content-Type: application/json'));
    if ($data !== null) curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode($data));
    $body = curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_HTTP_CODE);
    curl_close($ch);
    if ($status != 200) { fwrite(STDERR, "$method $url -> $status $body\n"); exit(1); }
    return json_decode($body, true);
}

function all_accounts() {
    global $base, $pageSize;
    $seen = array();
    $last = 0;
    while (true) {
        $page = call('GET', $base . '?' . http_build_query(array('id__gt' => $last, '_order' => 'id', '_limit' => $pageSize)));
        if (count($page) == 0) return $seen;
        foreach ($page as $a) $seen[] = $a;
        $last = $page[count($page) - 1]['id'];
    }
}

$before = all_accounts();
$created = array();
for ($i = 0; $i < $newCount; $i++) {
    $a = call('POST', $base, array('name' => "PHP ERP $i", 'company_id' => 1, 'external_id' => "PHP-$i", 'is_customer' => true));
    $created[] = $a['id'];
}
$updated = array();
foreach ($created as $i => $id) {
    $a = call('PUT', "$base/$id", array('name' => "PHP ERP $i (synced)", 'tel' => (string)$i));
    $updated[] = $a['name'];
}
$deleted = array();
foreach ($created as $i => $id) {
    if ($i % 2 != 0) continue;
    $a = call('DELETE', "$base/$id");
    if ($a['is_deleted']) $deleted[] = $id;
}
$after = all_accounts();
$names = array();
foreach ($after as $a) $names[(string)$a['id']] = $a['name'];
echo json_encode(array(
    'before' => array_map(function ($a) { return $a['id']; }, $before),
    'created' => $created,
    'updated' => $updated,
    'deleted' => $deleted,
    'after' => array_map(function ($a) { return $a['id']; }, $after),
    'after_names' => $names,
));
