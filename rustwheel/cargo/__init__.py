"""cargo"""
