"""The values every benchmark measures: the project's own contract types at realistic sizes.

- a small policy (:class:`DeltaWritePolicy`, a Strict input of ~250 bytes);
- a medium plan artifact (:class:`PlanArtifacts` of a TPC-H-style join, ~21 KB of JSON, no
  binary payload): ``EXPLAIN VERBOSE`` rows, the ``information_schema`` columns of the
  eight TPC-H tables and the session settings;
- the same plan artifact carrying Substrait bytes of a chosen size (and DataFusion proto
  bytes of half that size): the binary-heavy case.

Everything is deterministic: payload bytes come from a seeded generator.
"""

from __future__ import annotations

import hashlib
import random
from functools import cache, lru_cache

from artifact_contracts import DataFusionProtoBytes, SubstraitBytes
from artifact_contracts.models import (
    ArrowField,
    ArrowSchemaSnapshot,
    DeltaWritePolicy,
    ExplainRow,
    InformationSchemaColumn,
    InformationSchemaSnapshot,
    InformationSchemaTable,
    PlanArtifacts,
    PlanTexts,
    SessionSetting,
    SubstraitValidation,
)

__all__ = [
    "KIB",
    "MIB",
    "binary_plan",
    "compact_plan",
    "medium_plan",
    "payload_bytes",
    "small_policy",
]

KIB = 1024
MIB = 1024 * KIB

TPCH_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "customer": (("c_custkey", "Int64"), ("c_name", "Utf8View"), ("c_address", "Utf8View"),
                 ("c_nationkey", "Int32"), ("c_phone", "Utf8View"), ("c_acctbal", "Decimal128(15, 2)"),
                 ("c_mktsegment", "Utf8View"), ("c_comment", "Utf8View")),
    "lineitem": (("l_orderkey", "Int64"), ("l_partkey", "Int64"), ("l_suppkey", "Int64"),
                 ("l_linenumber", "Int64"), ("l_quantity", "Decimal128(15, 2)"),
                 ("l_extendedprice", "Decimal128(15, 2)"), ("l_discount", "Decimal128(15, 2)"),
                 ("l_tax", "Decimal128(15, 2)"), ("l_returnflag", "Utf8View"), ("l_linestatus", "Utf8View"),
                 ("l_shipdate", "Date32"), ("l_commitdate", "Date32"), ("l_receiptdate", "Date32"),
                 ("l_shipinstruct", "Utf8View"), ("l_shipmode", "Utf8View"), ("l_comment", "Utf8View")),
    "nation": (("n_nationkey", "Int32"), ("n_name", "Utf8View"), ("n_regionkey", "Int32"),
               ("n_comment", "Utf8View")),
    "orders": (("o_orderkey", "Int64"), ("o_custkey", "Int64"), ("o_orderstatus", "Utf8View"),
               ("o_totalprice", "Decimal128(15, 2)"), ("o_orderdate", "Date32"), ("o_orderpriority", "Utf8View"),
               ("o_clerk", "Utf8View"), ("o_shippriority", "Int32"), ("o_comment", "Utf8View")),
    "part": (("p_partkey", "Int64"), ("p_name", "Utf8View"), ("p_mfgr", "Utf8View"), ("p_brand", "Utf8View"),
             ("p_type", "Utf8View"), ("p_size", "Int32"), ("p_container", "Utf8View"),
             ("p_retailprice", "Decimal128(15, 2)"), ("p_comment", "Utf8View")),
    "partsupp": (("ps_partkey", "Int64"), ("ps_suppkey", "Int64"), ("ps_availqty", "Int64"),
                 ("ps_supplycost", "Decimal128(15, 2)"), ("ps_comment", "Utf8View")),
    "region": (("r_regionkey", "Int32"), ("r_name", "Utf8View"), ("r_comment", "Utf8View")),
    "supplier": (("s_suppkey", "Int64"), ("s_name", "Utf8View"), ("s_address", "Utf8View"),
                 ("s_nationkey", "Int32"), ("s_phone", "Utf8View"), ("s_acctbal", "Decimal128(15, 2)"),
                 ("s_comment", "Utf8View")),
}  # fmt: skip

SETTINGS: tuple[tuple[str, str | None], ...] = (
    ("datafusion.catalog.create_default_catalog_and_schema", "true"),
    ("datafusion.catalog.default_catalog", "datafusion"),
    ("datafusion.catalog.default_schema", "public"),
    ("datafusion.catalog.format", None),
    ("datafusion.catalog.information_schema", "true"),
    ("datafusion.catalog.location", None),
    ("datafusion.execution.batch_size", "8192"),
    ("datafusion.execution.coalesce_batches", "true"),
    ("datafusion.execution.collect_statistics", "true"),
    ("datafusion.execution.enable_file_stream_work_stealing", "true"),
    ("datafusion.execution.enable_recursive_ctes", "true"),
    ("datafusion.execution.enforce_batch_size_in_joins", "false"),
    ("datafusion.execution.keep_partition_by_columns", "false"),
    ("datafusion.execution.listing_table_factory_infer_partitions", "true"),
    ("datafusion.execution.max_buffered_batches_per_output_file", "2"),
    ("datafusion.execution.max_spill_file_size_bytes", "134217728"),
    ("datafusion.execution.meta_fetch_concurrency", "32"),
    ("datafusion.execution.minimum_parallel_output_files", "4"),
    ("datafusion.execution.objectstore_writer_buffer_size", "10485760"),
    ("datafusion.execution.parquet.allow_single_file_parallelism", "true"),
    ("datafusion.execution.parquet.bloom_filter_fpp", None),
    ("datafusion.execution.parquet.bloom_filter_ndv", None),
    ("datafusion.execution.parquet.bloom_filter_on_read", "true"),
    ("datafusion.execution.parquet.bloom_filter_on_write", "false"),
    ("datafusion.execution.parquet.column_index_truncate_length", "64"),
    ("datafusion.execution.parquet.compression", "zstd(3)"),
    ("datafusion.execution.parquet.created_by", "datafusion version 55.2.0"),
    ("datafusion.execution.parquet.data_page_row_count_limit", "20000"),
    ("datafusion.execution.parquet.data_pagesize_limit", "1048576"),
    ("datafusion.execution.parquet.dictionary_enabled", "true"),
    ("datafusion.execution.parquet.dictionary_page_size_limit", "1048576"),
    ("datafusion.execution.parquet.enable_page_index", "true"),
    ("datafusion.execution.parquet.encoding", None),
    ("datafusion.execution.parquet.max_predicate_cache_size", None),
    ("datafusion.execution.parquet.max_row_group_size", "1048576"),
    ("datafusion.execution.parquet.maximum_buffered_record_batches_per_stream", "2"),
    ("datafusion.execution.parquet.maximum_parallel_row_group_writers", "1"),
    ("datafusion.execution.parquet.metadata_size_hint", "524288"),
    ("datafusion.execution.parquet.pruning", "true"),
    ("datafusion.execution.parquet.pushdown_filters", "false"),
    ("datafusion.execution.parquet.reorder_filters", "false"),
    ("datafusion.execution.parquet.schema_force_view_types", "true"),
    ("datafusion.execution.parquet.skip_metadata", "true"),
    ("datafusion.execution.parquet.statistics_enabled", "page"),
    ("datafusion.execution.parquet.statistics_truncate_length", "64"),
    ("datafusion.execution.parquet.write_batch_size", "1024"),
    ("datafusion.execution.parquet.writer_version", "1.0"),
    ("datafusion.execution.planning_concurrency", "2"),
    ("datafusion.execution.skip_partial_aggregation_probe_ratio_threshold", "0.8"),
    ("datafusion.execution.skip_partial_aggregation_probe_rows_threshold", "100000"),
    ("datafusion.execution.skip_physical_aggregate_schema_check", "false"),
    ("datafusion.execution.soft_max_rows_per_output_file", "50000000"),
    ("datafusion.execution.sort_in_place_threshold_bytes", "1048576"),
    ("datafusion.execution.sort_spill_reservation_bytes", "10485760"),
    ("datafusion.execution.split_file_groups_by_statistics", "false"),
    ("datafusion.execution.target_partitions", "4"),
    ("datafusion.execution.time_zone", "+00:00"),
    ("datafusion.execution.use_row_number_estimates_to_optimize_partitioning", "false"),
    ("datafusion.explain.format", "indent"),
    ("datafusion.explain.logical_plan_only", "false"),
    ("datafusion.explain.physical_plan_only", "false"),
    ("datafusion.explain.show_schema", "false"),
    ("datafusion.explain.show_sizes", "true"),
    ("datafusion.explain.show_statistics", "false"),
    ("datafusion.optimizer.allow_symmetric_joins_without_pruning", "true"),
    ("datafusion.optimizer.default_filter_selectivity", "20"),
    ("datafusion.optimizer.enable_distinct_aggregation_soft_limit", "true"),
    ("datafusion.optimizer.enable_dynamic_filter_pushdown", "true"),
    ("datafusion.optimizer.enable_join_dynamic_filter_pushdown", "true"),
    ("datafusion.optimizer.enable_round_robin_repartition", "true"),
    ("datafusion.optimizer.enable_topk_aggregation", "true"),
    ("datafusion.optimizer.filter_null_join_keys", "false"),
    ("datafusion.optimizer.hash_join_single_partition_threshold", "1048576"),
    ("datafusion.optimizer.hash_join_single_partition_threshold_rows", "131072"),
    ("datafusion.optimizer.join_reordering", "true"),
    ("datafusion.optimizer.max_passes", "3"),
    ("datafusion.optimizer.prefer_existing_sort", "false"),
    ("datafusion.optimizer.prefer_hash_join", "true"),
    ("datafusion.optimizer.repartition_aggregations", "true"),
    ("datafusion.optimizer.repartition_file_min_size", "10485760"),
    ("datafusion.optimizer.repartition_file_scans", "true"),
    ("datafusion.optimizer.repartition_joins", "true"),
    ("datafusion.optimizer.repartition_sorts", "true"),
    ("datafusion.optimizer.repartition_windows", "true"),
    ("datafusion.optimizer.skip_failed_rules", "false"),
    ("datafusion.optimizer.top_down_join_key_reordering", "true"),
    ("datafusion.runtime.memory_limit", "unlimited"),
    ("datafusion.sql_parser.dialect", "generic"),
    ("datafusion.sql_parser.enable_ident_normalization", "true"),
    ("datafusion.sql_parser.parse_float_as_decimal", "false"),
    ("datafusion.sql_parser.recursion_limit", "50"),
)

# The settings a plan artifact records: those that can change a plan.
PLANNING_SETTINGS = frozenset(name for name, _ in SETTINGS if ".optimizer." in name or name in {
    "datafusion.execution.batch_size", "datafusion.execution.target_partitions",
    "datafusion.execution.collect_statistics",
    "datafusion.execution.parquet.pruning", "datafusion.execution.parquet.pushdown_filters",
    "datafusion.execution.time_zone", "datafusion.sql_parser.dialect",
    "datafusion.sql_parser.enable_ident_normalization", "datafusion.sql_parser.parse_float_as_decimal",
})  # fmt: skip

SQL = """select n_name, sum(l_extendedprice * (1 - l_discount)) as revenue
from customer, orders, lineitem, supplier, nation, region
where c_custkey = o_custkey and l_orderkey = o_orderkey and l_suppkey = s_suppkey
  and c_nationkey = s_nationkey and s_nationkey = n_nationkey and n_regionkey = r_regionkey
  and r_name = 'ASIA' and o_orderdate >= date '1994-01-01' and o_orderdate < date '1995-01-01'
group by n_name
order by revenue desc"""

LOGICAL = """Sort: revenue DESC NULLS FIRST
  Projection: nation.n_name, sum(lineitem.l_extendedprice * Int64(1) - lineitem.l_discount) AS revenue
    Aggregate: groupBy=[[nation.n_name]], aggr=[[sum(lineitem.l_extendedprice * (Decimal128(Some(1),20,0) - lineitem.l_discount))]]
      Filter: customer.c_custkey = orders.o_custkey AND lineitem.l_orderkey = orders.o_orderkey AND lineitem.l_suppkey = supplier.s_suppkey AND customer.c_nationkey = supplier.s_nationkey AND supplier.s_nationkey = nation.n_nationkey AND nation.n_regionkey = region.r_regionkey AND region.r_name = Utf8("ASIA") AND orders.o_orderdate >= CAST(Utf8("1994-01-01") AS Date32) AND orders.o_orderdate < CAST(Utf8("1995-01-01") AS Date32)
        Cross Join:
          Cross Join:
            Cross Join:
              Cross Join:
                Cross Join:
                  TableScan: customer
                  TableScan: orders
                TableScan: lineitem
              TableScan: supplier
            TableScan: nation
          TableScan: region"""  # noqa: E501

OPTIMIZED = """Sort: revenue DESC NULLS FIRST
  Projection: nation.n_name, sum(lineitem.l_extendedprice * Int64(1) - lineitem.l_discount) AS revenue
    Aggregate: groupBy=[[nation.n_name]], aggr=[[sum(__common_expr_1 AS lineitem.l_extendedprice * Int64(1) - lineitem.l_discount)]]
      Projection: lineitem.l_extendedprice * (Decimal128(Some(1),20,0) - lineitem.l_discount) AS __common_expr_1, nation.n_name
        Inner Join: nation.n_regionkey = region.r_regionkey
          Projection: lineitem.l_extendedprice, lineitem.l_discount, nation.n_name, nation.n_regionkey
            Inner Join: supplier.s_nationkey = nation.n_nationkey
              Projection: lineitem.l_extendedprice, lineitem.l_discount, supplier.s_nationkey
                Inner Join: lineitem.l_suppkey = supplier.s_suppkey, customer.c_nationkey = supplier.s_nationkey
                  Projection: customer.c_nationkey, lineitem.l_suppkey, lineitem.l_extendedprice, lineitem.l_discount
                    Inner Join: orders.o_orderkey = lineitem.l_orderkey
                      Projection: customer.c_nationkey, orders.o_orderkey
                        Inner Join: customer.c_custkey = orders.o_custkey
                          TableScan: customer projection=[c_custkey, c_nationkey]
                          Projection: orders.o_orderkey, orders.o_custkey
                            Filter: orders.o_orderdate >= Date32("1994-01-01") AND orders.o_orderdate < Date32("1995-01-01")
                              TableScan: orders projection=[o_orderkey, o_custkey, o_orderdate], partial_filters=[orders.o_orderdate >= Date32("1994-01-01"), orders.o_orderdate < Date32("1995-01-01")]
                      TableScan: lineitem projection=[l_orderkey, l_suppkey, l_extendedprice, l_discount]
                  TableScan: supplier projection=[s_suppkey, s_nationkey]
              TableScan: nation projection=[n_nationkey, n_name, n_regionkey]
          Projection: region.r_regionkey
            Filter: region.r_name = Utf8View("ASIA")
              TableScan: region projection=[r_regionkey, r_name], partial_filters=[region.r_name = Utf8View("ASIA")]"""  # noqa: E501

PHYSICAL = """SortPreservingMergeExec: [revenue@1 DESC]
  SortExec: expr=[revenue@1 DESC], preserve_partitioning=[true]
    ProjectionExec: expr=[n_name@0 as n_name, sum(lineitem.l_extendedprice * Int64(1) - lineitem.l_discount)@1 as revenue]
      AggregateExec: mode=FinalPartitioned, gby=[n_name@0 as n_name], aggr=[sum(lineitem.l_extendedprice * Int64(1) - lineitem.l_discount)]
        RepartitionExec: partitioning=Hash([n_name@0], 4), input_partitions=4
          AggregateExec: mode=Partial, gby=[n_name@1 as n_name], aggr=[sum(lineitem.l_extendedprice * Int64(1) - lineitem.l_discount)]
            ProjectionExec: expr=[l_extendedprice@0 * (Some(1),20,0 - l_discount@1) as __common_expr_1, n_name@2 as n_name]
              HashJoinExec: mode=Partitioned, join_type=Inner, on=[(n_regionkey@3, r_regionkey@0)], projection=[l_extendedprice@0, l_discount@1, n_name@2]
                RepartitionExec: partitioning=Hash([n_regionkey@3], 4), input_partitions=4
                  HashJoinExec: mode=Partitioned, join_type=Inner, on=[(s_nationkey@2, n_nationkey@0)], projection=[l_extendedprice@0, l_discount@1, n_name@4, n_regionkey@5]
                    RepartitionExec: partitioning=Hash([s_nationkey@2], 4), input_partitions=4
                      HashJoinExec: mode=Partitioned, join_type=Inner, on=[(l_suppkey@1, s_suppkey@0), (c_nationkey@0, s_nationkey@1)], projection=[l_extendedprice@2, l_discount@3, s_nationkey@5]
                        DataSourceExec: file_groups={2 groups: [[<table:lineitem>/part-00000.parquet], [<table:lineitem>/part-00001.parquet]]}, projection=[l_orderkey, l_suppkey, l_extendedprice, l_discount], file_type=parquet
                        DataSourceExec: file_groups={1 group: [[<table:supplier>/part-00000.parquet]]}, projection=[s_suppkey, s_nationkey], file_type=parquet
                    DataSourceExec: file_groups={1 group: [[<table:nation>/part-00000.parquet]]}, projection=[n_nationkey, n_name, n_regionkey], file_type=parquet
                FilterExec: r_name@1 = ASIA, projection=[r_regionkey@0]
                  DataSourceExec: file_groups={1 group: [[<table:region>/part-00000.parquet]]}, projection=[r_regionkey, r_name], file_type=parquet, predicate=r_name@1 = ASIA"""  # noqa: E501

RULES = (
    "expand_wildcard_rule", "type_coercion", "simplify_expressions", "eliminate_join",
    "decorrelate_predicate_subquery", "scalar_subquery_to_join", "extract_equijoin_predicate",
    "eliminate_filter", "eliminate_cross_join", "eliminate_limit", "push_down_filter",
    "common_sub_expression_eliminate", "optimize_projections",
)  # fmt: skip
PHYSICAL_RULES = (
    "OutputRequirements", "aggregate_statistics", "join_selection", "FilterPushdown",
    "EnforceDistribution", "EnforceSorting", "ProjectionPushdown", "SanityCheckPlan",
)  # fmt: skip
READ_TABLES = ("customer", "lineitem", "nation", "orders", "region", "supplier")


def _hex(seed: str) -> str:
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


def small_policy() -> DeltaWritePolicy:
    """A write policy as a pipeline spec would give it (a Strict input)."""
    return DeltaWritePolicy(
        mode="append",
        partition_by=("l_shipdate",),
        zorder_by=("l_orderkey", "l_suppkey"),
        target_file_size=128 * MIB,
        max_rows_per_group=1_048_576,
        stats_policy="explicit",
        stats_columns=("l_orderkey", "l_partkey", "l_shipdate"),
        compression="zstd",
        compression_level=3,
    )


def _explain_rows() -> tuple[ExplainRow, ...]:
    rows = [ExplainRow(plan_type="logical_plan after resolve_grouping_function", plan="SAME TEXT AS ABOVE")]
    for rule in RULES:
        rows.append(ExplainRow(plan_type=f"logical_plan after {rule}", plan="SAME TEXT AS ABOVE"))
    rows.append(ExplainRow(plan_type="logical_plan", plan=OPTIMIZED))
    for rule in PHYSICAL_RULES:
        rows.append(ExplainRow(plan_type=f"physical_plan after {rule}", plan="SAME TEXT AS ABOVE"))
    rows.append(ExplainRow(plan_type="physical_plan", plan=PHYSICAL))
    return tuple(rows)


def _information_schema() -> InformationSchemaSnapshot:
    tables = tuple(
        InformationSchemaTable(
            table_catalog="datafusion", table_schema="public", table_name=name, table_type="BASE TABLE"
        )
        for name in READ_TABLES
    )
    columns = tuple(
        InformationSchemaColumn(
            table_catalog="datafusion",
            table_schema="public",
            table_name=table,
            column_name=column,
            ordinal_position=position,
            data_type=data_type,
            is_nullable=position != 0,
        )
        for table in READ_TABLES
        for position, (column, data_type) in enumerate(TPCH_COLUMNS[table])
    )
    settings = tuple(SessionSetting(name=name, value=value) for name, value in SETTINGS if name in PLANNING_SETTINGS)
    return InformationSchemaSnapshot(tables=tables, columns=columns, settings=settings)


@cache
def medium_plan() -> PlanArtifacts:
    """A plan artifact without binary payloads (~21 KB of JSON)."""
    return PlanArtifacts(
        sql=SQL,
        plan_fingerprint=_hex("plan"),
        explain=_explain_rows(),
        output_schema=ArrowSchemaSnapshot(
            fields=(
                ArrowField(name="n_name", data_type="string_view"),
                ArrowField(name="revenue", data_type="decimal128(38, 4)"),
            )
        ),
        information_schema=_information_schema(),
        information_schema_hash=_hex("information_schema"),
        substrait=None,
        substrait_validation=SubstraitValidation(roundtrip_ok=True, plan_matches=True, extension_count=9),
        datafusion_proto=None,
        datafusion_proto_absent_reason="Error serializing custom table - LogicalExtensionCodec is not provided",
        rulepack_hash=_hex("rulepack"),
        planning_env_hash=_hex("planning_env"),
        texts=PlanTexts(logical=LOGICAL, optimized_logical=OPTIMIZED, physical=PHYSICAL),
        datafusion_version="55.0.0",
    )


@lru_cache(maxsize=32)
def payload_bytes(size: int, seed: int = 0) -> bytes:
    """``size`` deterministic pseudo-random bytes (incompressible, like a protobuf plan)."""
    return random.Random(size * 31 + seed).randbytes(size)


def binary_plan(substrait_size: int) -> PlanArtifacts:
    """The medium plan carrying Substrait bytes of ``substrait_size`` and proto bytes of half that."""
    import msgspec

    return msgspec.structs.replace(
        medium_plan(),
        substrait=SubstraitBytes(payload_bytes(substrait_size)),
        datafusion_proto=DataFusionProtoBytes(payload_bytes(substrait_size // 2, seed=1)),
        datafusion_proto_absent_reason=None,
    )


@cache
def compact_plan() -> PlanArtifacts:
    """The medium plan without EXPLAIN rows, columns or settings (~7 KB): for large stores."""
    import msgspec

    medium = medium_plan()
    return msgspec.structs.replace(
        medium,
        explain=(),
        information_schema=InformationSchemaSnapshot(tables=medium.information_schema.tables),
    )
