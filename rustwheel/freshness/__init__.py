"""freshness"""
