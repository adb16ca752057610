"""Upward publication to the province (省级汇总, issue 19): what the college tells the
province, written to ``province_outbox`` in the transaction of the change that causes it and
published by ``publisher`` to the campus's ``province.out`` exchange, from which the
province's RabbitMQ federation link pulls it. Off unless CAMPUS_PROVINCE_PUBLISH is set."""
