"""Cases written against issue 11 for work that is done on other branches.

The runner skips each case named here, printing the reason, so the suite stays green until that
work is merged. Whoever merges the work removes its lines: from then on the case must pass.
A key is a case name (every transport) or "name[transport]" (that transport only).
`--run-pending` (-Dbaton.python.runPending=true from Maven) runs them anyway.
"""

EXPECTED_ONCE_MERGED: dict[str, str] = {
    # stdio: Baton's own stdio transport (items 1 and 2)
    "stdio_line_that_is_not_json_gets_parse_error": "stdio: -32700 without id, later requests answered (item 1)",
    "stdio_message_without_method_gets_invalid_request": "stdio: -32600 without id (item 1)",
    "stdio_batch_array_gets_an_error": "stdio: a batch array gets an error, the session lives on (item 1)",
    "stdio_empty_line_and_invalid_utf8_keep_the_session": "stdio: empty line and invalid UTF-8 (item 2)",
    "stdio_odd_ids_and_missing_jsonrpc_get_one_answer_each": "stdio: id null/object/true, no jsonrpc (item 2)",
    "stdio_unknown_method_is_quoted_short": "stdio: an unknown method's name quoted short (item 2)",
    "stdio_last_line_without_newline_is_answered": "stdio: a last line without newline (item 2)",
    "stdio_process_exits_within_a_second_of_stdin_closing": "stdio: exit within 1 s of stdin closing (item 1)",
    "burst_of_50_concurrent_calls_all_answered[stdio]": "stdio: 50-request bursts lose answers today (item 2)",
    # httpcancel (item 3, HTTP) and stdio (cancel over stdio)
    "cancelled_turn_stops_within_a_second[stdio]": "stdio: notifications/cancelled over stdio (item 3)",
    "cancelled_turn_stops_within_a_second[http]": "httpcancel: notifications/cancelled over HTTP (item 3)",
    "http_client_disconnect_cancels_the_turn": "httpcancel: a client that disconnects cancels its turn (item 3)",
    # httpwire (item 5)
    "http_unsupported_protocol_version_header_is_400": "httpwire: MCP-Protocol-Version header (item 5)",
    "http_parse_error_and_invalid_request_codes": "httpwire: -32700/-32600 without id (item 5)",
    "http_response_with_unknown_id_is_not_a_500": "httpwire: a response with an unknown id (item 5)",
    "http_two_messages_in_one_body_get_an_error": "httpwire: two messages in a body, malformed tools/call (item 5)",
    "http_trace_is_refused_and_no_html_pages": "httpwire: TRACE and Jetty's HTML pages (item 5)",
    # protocol (item 4 and the protocol features)
    "bad_argument_is_a_tool_result_sep1303": "protocol: SEP-1303 schema violations as isError results (item 4)",
    "unknown_tool_name_is_quoted_in_the_error": "protocol: -32602 naming the unknown tool (item 4)",
    "completions_offer_conversation_ids": "protocol: completion/complete",
    "subscribers_hear_of_a_new_share_within_two_seconds": "protocol: resources/subscribe with LISTEN/NOTIFY",
    "log_notifications_follow_the_level_and_hold_no_secret": "protocol: logging/setLevel and log notifications",
    "viewer_does_not_see_write_tools": "protocol: the viewer tool filter",
    "create_and_fork_carry_a_resource_link": "protocol: resource_link in create/fork results",
    # papercuts / pgsecure (item 7)
    "another_projects_conversation_is_not_found": "papercuts: no existence oracle across projects (item 7)",
    "server_info_has_version_title_and_description": "papercuts: serverInfo version, title, description (item 7)",
    "cli_without_a_command_prints_usage": "papercuts: `baton` and `baton db` print usage, exit 2 (item 7)",
    "cli_version_is_the_real_one": "papercuts: --version prints the real version, not dev (item 7)",
    "cli_empty_user_is_refused": "papercuts: --user '' refused like token create refuses it (item 7)",
    "invalid_utf8_in_an_argument_is_refused_naming_it_stdio": "papercuts/stdio: invalid UTF-8 refused naming the field (item 7)",
    "invalid_utf8_in_an_argument_is_refused_naming_it_http": "papercuts/httpwire: invalid UTF-8 refused naming the field (item 7)",
    # httpcancel: SSE event ids and resumption (item 5)
    "http_sse_event_ids_are_unique": "httpcancel: SSE event ids unique per stream (item 5)",
    "http_reconnect_with_last_event_id_gets_the_missed_answer": "httpcancel: Last-Event-ID resumption (item 5)",
    # pgsecure (item 6)
    "database_refuses_a_connection_without_the_password": "pgsecure: scram-sha-256, no trust (item 6)",
}
